"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.keytasks.api import ReceiverViewSet, SentTaskViewSet
from gongzhi.keytasks.list_api import InspectionViewSet, ListTaskViewSet, SupervisionViewSet

router = Router()
router.register("sent-tasks", SentTaskViewSet, basename="sent-task")
router.register("task-forms", ReceiverViewSet, basename="task-form")
router.register("list-tasks", ListTaskViewSet, basename="list-task")
router.register("supervision", SupervisionViewSet, basename="supervision")
router.register("inspections", InspectionViewSet, basename="inspection")
urlpatterns = router.urls
