from django.urls import path

from gongzhi.party import views, views_structures, views_vanguard

app_name = "party"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("gaps/<int:pk>/", views.gaps, name="gaps"),
    path("in-service/", views.in_service, name="in_service"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/children/", views.org_children, name="children"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/delete/", views.org_delete, name="org_delete"),
    path("orgs/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/move/", views.member_move, name="member_move"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("members/<int:pk>/checkins/", views.checkin_create, name="checkin_create"),
    path("checkins/<int:pk>/end/", views.checkin_end, name="checkin_end"),
    # Structures (views_structures.py): committee members, bodies and their organisations
    path("orgs/<int:pk>/committee/", views_structures.committee_add, name="committee_add"),
    path("committee/<int:pk>/end/", views_structures.committee_end, name="committee_end"),
    path("bodies/", views_structures.bodies, name="bodies"),
    path("bodies/<int:pk>/org/", views_structures.body_org, name="body_org"),
    # 认岗认事认亲 and the vanguard index (views_vanguard.py)
    path("vanguard/", views_vanguard.mine, name="vanguard"),
    path("vanguard/claim/", views_vanguard.claim, name="vanguard_claim"),
    path("vanguard/claims/<int:pk>/end/", views_vanguard.claim_end, name="vanguard_claim_end"),
    path("vanguard/record/", views_vanguard.record, name="vanguard_record"),
    path("vanguard/ranking/", views_vanguard.ranking, name="vanguard_ranking"),
    path("vanguard/records/<int:pk>/review/", views_vanguard.review, name="vanguard_review"),
    path("vanguard/publish/", views_vanguard.publish, name="vanguard_publish"),
]
