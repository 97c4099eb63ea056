from django.urls import path

from gongzhi.evaluation import views_reports

app_name = "evaluation_reports"
urlpatterns = [
    path(
        f"<int:round_id>/{level}/<int:place_id>.{fmt}",
        views_reports.download,
        {"level": level, "fmt": fmt},
        name=f"{level}_{fmt}",
    )
    for level in ("community", "street")
    for fmt in ("pdf", "xlsx")
]
