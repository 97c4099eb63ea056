"""Role × object × URL (issue 13): no URL serves or changes an object of a foreign jurisdiction.

Every URL pattern of the project that takes an argument (pages and /api/v1/, found by walking
the resolver, not listed by hand) is called with the id of an object in street B (see
conftest.py) by users of every non-administrator role posted at home (street A; the district
officer in the other district) and by an anonymous visitor, with GET and with POST (no CSRF
check, a plausible body). None may answer 200/201/204 or redirect anywhere but the login page,
and none may write anything (every table is checksummed before and after).

ARGUMENTS maps each pattern's arguments to the foreign object's model (or a literal value);
a new URL without a mapping fails `test_every_argument_is_mapped`. PUBLIC lists the patterns
that may answer a GET for a foreign object, each with its reason.
"""

from __future__ import annotations

import json
import re
import zlib

import pytest
from django.apps import apps
from django.contrib import messages
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gongzhi.core.roles import Role

from .conftest import HOME_OF_ROLE

# ---------------------------------------------------------------------------- the mapping
# URL name (exact) or a name prefix ending in ":" or "-" (the longest matching one wins) →
# {argument: what to put there}. "app.Model" = the pk of the foreign object of that model;
# "place:estate" = the foreign estate; "code:app.Model.field" = that field of the foreign
# object; "named:x" = a second object the fixture names x; "=text" = that literal text;
# "=a|b|c" = each of these texts in turn (every step of a workflow URL is tried).
ARGUMENTS: dict[str, dict[str, str]] = {
    # core
    "accounts:reenable": {"pk": "named:disabled_user"},
    "posts:revoke": {"pk": "core.Post"},
    "audit:detail": {"pk": "core.AuditRecord"},
    "profiles:detail": {"name": "=wuhan-east-lake"},
    # places
    "places:": {"pk": "places.Place", "room_pk": "places.Room", "post_pk": "core.Post"},
    "places:household": {"pk": "places.Household"},
    "compliance:community": {"pk": "places.Place"},
    # people
    "people:": {"pk": "people.Resident", "field": "=phone|id"},
    "people_import:": {"pk": "people.ImportBatch"},
    # party
    "party:gaps": {"pk": "places.Place"},
    "party:org": {"pk": "party.PartyOrg"},
    "party:children": {"pk": "party.PartyOrg"},
    "party:org_edit": {"pk": "party.PartyOrg"},
    "party:org_delete": {"pk": "party.PartyOrg"},
    "party:member_add": {"pk": "party.PartyOrg"},
    "party:member": {"pk": "party.PartyMember"},
    "party:member_edit": {"pk": "party.PartyMember"},
    "party:member_move": {"pk": "party.PartyMember"},
    "party:member_end": {"pk": "party.PartyMember"},
    "party:checkin_create": {"pk": "party.PartyMember"},
    "party:checkin_end": {"pk": "party.Checkin"},
    "party:vanguard_claim_end": {"pk": "party.VanguardClaim"},
    "party:vanguard_review": {"pk": "party.ServiceRecord"},
    # tickets
    "tickets:notification_open": {"pk": "core.Notification"},
    "tickets:category_edit": {"pk": "tickets.Category"},
    "tickets:category_change": {"pk": "tickets.Category", "change": "=deactivate"},
    "tickets:photo": {"pk": "tickets.Ticket", "photo_id": "tickets.TicketPhoto"},
    "tickets:photo_thumb": {"pk": "tickets.Ticket", "photo_id": "tickets.TicketPhoto"},
    "tickets:detail": {"pk": "tickets.Ticket"},
    "tickets:call": {"pk": "tickets.Ticket"},
    # the ticket ledger: another user's export and saved filter (owner-only)
    "tickets:ledger_export_status": {"pk": "tickets.LedgerExport"},
    "tickets:ledger_export_progress": {"pk": "tickets.LedgerExport"},
    "tickets:ledger_export_download": {"pk": "tickets.LedgerExport"},
    "tickets:ledger_filter_delete": {"pk": "tickets.SavedFilter"},
    "tickets:step": {
        "pk": "tickets.Ticket",
        "step": "=accept|handle|escalate|dispatch|pool|escalate_to_street|take|start|resolve"
        "|return|reassign|confirm|reopen|close|merge",
    },
    "open311:": {
        "fmt": "=json",
        "code": "code:tickets.Category.code",
        "request_id": "code:tickets.Ticket.number",
        "rest": "=services/x.json",
    },
    # volunteering
    "volunteering:signup": {"pk": "volunteering.Activity"},
    "volunteering:signup_cancel": {"pk": "volunteering.Activity"},
    "volunteering:scan": {
        "pk": "volunteering.Activity",
        "kind": "=in",
        "window": "=1",
        "token": "=x",
    },
    "volunteering:exchange_step": {"pk": "volunteering.Exchange", "step": "=take|confirm|cancel"},
    "volunteering:decide": {"pk": "volunteering.Volunteer"},
    "volunteering:team_edit": {"pk": "volunteering.Team"},
    "volunteering:activity": {"pk": "volunteering.Activity"},
    "volunteering:activity_edit": {"pk": "volunteering.Activity"},
    "volunteering:activity_qr": {"pk": "volunteering.Activity", "kind": "=in|out"},
    "volunteering:activity_action": {
        "pk": "volunteering.Activity",
        "action": "=confirm|correct|cancel",
    },
    "volunteering:resident_points": {"pk": "people.Resident"},
    # merchants
    "merchants:redeem": {"pk": "merchants.Item"},
    "merchants:redemption": {"pk": "merchants.Redemption"},
    "merchants:cancel": {"pk": "merchants.Redemption"},
    "merchants:item_add": {"pk": "merchants.Merchant"},
    "merchants:item_edit": {"pk": "merchants.Item"},
    "merchants:toggle": {"pk": "merchants.Merchant"},
    # partners
    "partners:unit": {"pk": "partners.PartnerUnit"},
    "partners:resource_add": {"pk": "partners.PartnerUnit"},
    "partners:report": {"pk": "partners.PartnerUnit"},
    "partners:report_xlsx": {"pk": "partners.PartnerUnit"},
    "partners:item": {"pk": "partners.ListItem"},
    "partners:claim": {"pk": "partners.ListItem"},
    "partners:need_review": {"pk": "partners.ListItem"},
    "partners:photo": {"pk": "partners.Claim", "photo_id": "partners.ClaimPhoto"},
    "partners:photo_thumb": {"pk": "partners.Claim", "photo_id": "partners.ClaimPhoto"},
    "partners:claim_step": {"pk": "partners.Claim", "step": "=progress|complete|confirm|withdraw"},
    "partners:ticket_to_need": {"ticket_pk": "tickets.Ticket"},
    # deliberation
    "deliberation:topic": {"pk": "deliberation.Topic"},
    "deliberation:topic_support": {"pk": "deliberation.Topic"},
    "deliberation:topic_opinion": {"pk": "deliberation.Topic"},
    "deliberation:topic_status": {"pk": "deliberation.Topic"},
    "deliberation:opinion_hide": {"pk": "deliberation.Opinion"},
    "deliberation:series_stop": {"pk": "deliberation.MeetingSeries"},
    "deliberation:meeting": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_invite": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_attendance": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_agenda": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_minutes": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_resolution": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_qr": {"pk": "deliberation.Meeting"},
    "deliberation:meeting_qr_code": {"pk": "deliberation.Meeting"},
    "deliberation:checkin": {"pk": "deliberation.Meeting", "token": "=x"},
    "deliberation:follow_through": {"pk": "deliberation.FollowThrough"},
    "deliberation:follow_through_progress": {"pk": "deliberation.FollowThrough"},
    "deliberation:poll": {"pk": "deliberation.Poll"},
    "deliberation:poll_vote": {"pk": "deliberation.Poll"},
    "deliberation:notice_withdraw": {"pk": "deliberation.Notice"},
    "deliberation:representative_remove": {"pk": "deliberation.Representative"},
    "deliberation:public": {"community_id": "places.Place"},
    "deliberation:public_notices": {"community_id": "places.Place"},
    # owners
    "owners:estate": {"pk": "place:estate"},
    "owners:estate_action": {"pk": "place:estate", "step": "=import|owner|vote"},
    "owners:owner": {"pk": "owners.Owner"},
    "owners:owner_action": {"pk": "owners.Owner", "step": "=property|area|co_owner"},
    "owners:vote": {"pk": "owners.OwnersVote"},
    "owners:result": {"pk": "owners.OwnersVote"},
    "owners:vote_action": {"pk": "owners.OwnersVote", "step": "=open|close|cast|paper"},
    "owners:scan": {"pk": "owners.Ballot"},
    # micro-projects
    "microprojects:round": {"pk": "microprojects.Round"},
    "microprojects:round_action": {
        "pk": "microprojects.Round",
        "step": "=propose|rules|voting|select",
    },
    "microprojects:project": {"pk": "microprojects.Project"},
    "microprojects:project_action": {
        "pk": "microprojects.Project",
        "step": "=review|vote|spend|photo|complete",
    },
    "microprojects:public": {"community_id": "places.Place"},
    "microprojects:photo": {"pk": "microprojects.Photo"},
    # estates
    "estates:committee": {"pk": "estates.OwnersCommittee"},
    "estates:committee_party_org": {"pk": "estates.OwnersCommittee"},
    "estates:term_add": {"pk": "estates.OwnersCommittee"},
    "estates:list_add": {"pk": "estates.OwnersCommittee"},
    "estates:member_add": {"pk": "estates.Term"},
    "estates:term_file": {"pk": "estates.Term"},
    "estates:term_end": {"pk": "estates.Term"},
    "estates:member_leave": {"pk": "estates.TermMember"},
    "estates:candidate_add": {"pk": "estates.CandidateList"},
    "estates:list_review": {"pk": "estates.CandidateList"},
    "estates:list_finalise": {"pk": "estates.CandidateList"},
    "estates:candidate_exclude": {"pk": "estates.Candidate"},
    "estates:supervisor_leave": {"pk": "estates.SupervisionMember"},
    "estates:company": {"pk": "estates.PropertyCompany"},
    "estates:contract_add": {"pk": "estates.PropertyCompany"},
    "estates:company_party_org": {"pk": "estates.PropertyCompany"},
    "estates:company_party_staff": {"pk": "estates.PropertyCompany"},
    "estates:staff_link": {"pk": "estates.PropertyCompany"},
    "estates:staff_unlink": {"pk": "estates.CompanyStaff"},
    "estates:grant_request": {"pk": "estates.OwnersCommittee"},
    "estates:secretary": {"pk": "estates.OwnersCommittee"},
    "estates:grant_approve": {"pk": "estates.StartupGrant"},
    "estates:grant_refuse": {"pk": "estates.StartupGrant"},
    "estates:grant_pay": {"pk": "estates.StartupGrant"},
    # party organisational life
    "partylife:org": {"pk": "party.PartyOrg"},
    "partylife:review_open": {"pk": "party.PartyOrg"},
    "partylife:dues": {"pk": "party.PartyOrg"},
    "partylife:meeting": {"pk": "partylife.Meeting"},
    "partylife:minutes": {"pk": "partylife.Meeting"},
    "partylife:attendance": {"pk": "partylife.Meeting"},
    "partylife:leave": {"pk": "partylife.Meeting"},
    "partylife:check_in": {"pk": "partylife.Meeting", "window": "=1", "token": "=x"},
    "partylife:photo": {"pk": "partylife.MeetingPhoto"},
    "partylife:review": {"pk": "partylife.ReviewRound"},
    "partylife:review_decide": {"pk": "partylife.ReviewResult"},
    "partylife:review_self": {"pk": "partylife.ReviewResult"},
    # mediation
    "mediation:case": {"pk": "mediation.Case"},
    "mediation:case_act": {
        "pk": "mediation.Case",
        "act": "=party|session|agree|fail|refer_up|withdraw|start|follow_up|close|assign",
    },
    "mediation:scan": {"pk": "mediation.Case", "scan_pk": "mediation.AgreementScan"},
    "mediation:from_ticket": {"pk": "tickets.Ticket"},
    "mediation:committee": {"pk": "mediation.Committee"},
    "mediation:mediator_active": {"pk": "mediation.Mediator"},
    "mediation:award_act": {"pk": "mediation.Award", "act": "=approve|reject|paid"},
    "mediation:question": {"pk": "mediation.LegalQuestion"},
    # A joint meeting on disputes is a deliberation meeting; a decision is an agenda entry.
    "mediation:meeting_agenda": {"pk": "deliberation.Meeting"},
    "mediation:meeting_decision": {"pk": "mediation.AgendaCase"},
    # the cockpit (数字驾驶舱)
    "cockpit:place": {"pk": "code:places.Place.parent_id"},
    # the yearly report of a published round: the foreign community's and street's reports
    "evaluation_reports:": {"round_id": "named:report_round", "place_id": "places.Place"},
    "evaluation_reports:street_pdf": {
        "round_id": "named:report_round",
        "place_id": "named:report_street",
    },
    "evaluation_reports:street_xlsx": {
        "round_id": "named:report_round",
        "place_id": "named:report_street",
    },
    # assessment rounds (evaluation: rounds, scores, contests)
    "evaluation:round": {"pk": "evaluation.Round"},
    "evaluation:progress": {"pk": "evaluation.Round"},
    "evaluation:round_act": {"pk": "evaluation.Round", "act": "=compute|publish"},
    "evaluation:score": {"pk": "evaluation.Score"},
    "evaluation:score_item": {"pk": "evaluation.Score"},
    "evaluation:contest": {"pk": "evaluation.Part"},
    "evaluation:decide": {"pk": "evaluation.Contest"},
    "evaluation:evidence": {"pk": "evaluation.Contest", "photo_pk": "evaluation.ContestPhoto"},
    "evaluation:trend": {"pk": "places.Place"},
    "evaluation-round-": {"pk": "evaluation.Round"},
    "evaluation-score-": {"pk": "evaluation.Score"},
    "evaluation-contest-": {"pk": "evaluation.Contest"},
    # privacy
    "privacy:my_request": {"pk": "privacy.PrivacyRequest"},
    "privacy:handle": {"pk": "privacy.PrivacyRequest"},
    # API (router names; "format" is the format suffix)
    "api-root": {"format": "=.json"},
    "api-compliance": {"pk": "places.Place"},
    # the cockpit of a street or district: the foreign community's street
    "api-cockpit": {"pk": "code:places.Place.parent_id"},
    "api-household-members": {"pk": "places.Household"},
    "place-": {
        "pk": "places.Place",
        "post_pk": "core.Post",
        "room_pk": "places.Room",
        "format": "=json",
    },
    "household-": {"pk": "places.Household", "format": "=json"},
    "audit-": {"pk": "core.AuditRecord", "format": "=json"},
    "party-org-": {"pk": "party.PartyOrg", "format": "=json"},
    "party-member-": {"pk": "party.PartyMember", "format": "=json"},
    "checkin-": {"pk": "party.Checkin", "format": "=json"},
    "resident-": {"pk": "people.Resident", "format": "=json"},
    "ticket-": {"pk": "tickets.Ticket", "format": "=json"},
    "notification-": {"pk": "core.Notification", "format": "=json"},
    "volunteering-resident-statement": {"resident_id": "people.Resident"},
    "volunteering-entry-reverse": {"entry_id": "core.LedgerEntry"},
    "volunteering-volunteer-": {"pk": "volunteering.Volunteer"},
    "volunteering-team-": {"pk": "volunteering.Team"},
    "volunteering-activity-": {"pk": "volunteering.Activity"},
    "volunteering-timebank-": {"pk": "volunteering.Exchange"},
    "merchant-": {"pk": "merchants.Merchant"},
    "merchant-item-": {"pk": "merchants.Item"},
    "redemption-": {"pk": "merchants.Redemption"},
    "partner-unit-": {"pk": "partners.PartnerUnit"},
    "partner-item-": {"pk": "partners.ListItem"},
    "partner-claim-": {"pk": "partners.Claim"},
    "partner-need-": {"pk": "named:need"},
    "delib-topic-": {"pk": "deliberation.Topic", "opinion": "deliberation.Opinion"},
    "delib-meeting-": {"pk": "deliberation.Meeting", "series_pk": "deliberation.MeetingSeries"},
    "delib-follow-through-": {"pk": "deliberation.FollowThrough"},
    "delib-poll-": {"pk": "deliberation.Poll"},
    "delib-notice-": {"pk": "deliberation.Notice"},
    "owners-vote-": {"pk": "owners.OwnersVote"},
    "owners-estate-": {"pk": "place:estate"},
    "microproject-round-": {"pk": "microprojects.Round"},
    "microproject-": {"pk": "microprojects.Project"},
    "owners-committee-": {"pk": "estates.OwnersCommittee"},
    "committee-term-": {"pk": "estates.Term"},
    "candidate-list-": {"pk": "estates.CandidateList"},
    "property-company-": {"pk": "estates.PropertyCompany"},
    "property-company-end-staff": {
        "pk": "estates.PropertyCompany",
        "link_pk": "estates.CompanyStaff",
    },
    "partylife-meeting-": {"pk": "partylife.Meeting", "format": "=json"},
    "partylife-result-": {"pk": "partylife.ReviewResult", "format": "=json"},
    "mediation-committee-": {"pk": "mediation.Committee"},
    "mediation-case-": {"pk": "mediation.Case"},
    "mediation-award-": {"pk": "mediation.Award"},
    "legal-question-": {"pk": "mediation.LegalQuestion"},
    "estate-rating-": {"pk": "estates.Evaluation"},
    "startup-grant-": {"pk": "estates.StartupGrant"},
    # keytasks (sent-down tasks)
    "keytasks:task": {"pk": "keytasks.SentDownTask"},
    "keytasks:rollup": {"pk": "keytasks.SentDownTask"},
    "keytasks:task_act": {"pk": "keytasks.SentDownTask", "act": "=remind|close"},
    "keytasks:fill": {"pk": "keytasks.Receiver"},
    "keytasks:photo": {"pk": "keytasks.Receiver", "photo_pk": "keytasks.AnswerPhoto"},
    "keytasks:receiver_act": {"pk": "keytasks.Receiver", "act": "=recall|reopen"},
    "sent-task-": {"pk": "keytasks.SentDownTask"},
    "task-form-": {"pk": "keytasks.Receiver"},
    "keytasks:list_task": {"pk": "keytasks.KeyTask"},
    "keytasks:list_photo": {"pk": "keytasks.KeyTask", "photo_pk": "keytasks.ProgressPhoto"},
    "keytasks:list_task_act": {
        "pk": "keytasks.KeyTask",
        "act": "=done|verify|return|milestone|supervise|talk",
    },
    "list-task-": {"pk": "keytasks.KeyTask"},
    "keytasks:timeline": {"pk": "keytasks.TaskList"},
    "keytasks:inspection": {"pk": "keytasks.Inspection"},
    "inspection-": {"pk": "keytasks.Inspection"},
    # selections (star civilised buildings, best building heads)
    "selections:": {
        "pk": "selections.Selection",
        "nominee_pk": "selections.Nominee",
        "photo_pk": "selections.NomineePhoto",
    },
    "selections:act": {"pk": "selections.Selection", "act": "=open_voting|close|publish|panel"},
    "selections:nominee_act": {
        "pk": "selections.Selection",
        "nominee_pk": "selections.Nominee",
        "act": "=withdraw|score",
    },
    "selection-": {"pk": "selections.Selection"},
    "privacy-request-": {"pk": "privacy.PrivacyRequest"},
    "privacy-queue-": {"pk": "privacy.PrivacyRequest"},
    "privacy-register-": {"pk": "privacy.ProcessingActivity"},
    # workforce: training (issue 15 item 5)
    "workforce:course": {"pk": "workforce.Course"},
    "workforce-course-": {"pk": "workforce.Course"},
    # workforce: workers, committees (the community page takes the community), rewards
    "workforce:worker": {"pk": "workforce.Worker"},
    "workforce:worker_leave": {"pk": "workforce.Worker"},
    "workforce:certificate_add": {"pk": "workforce.Worker"},
    "workforce:assessment_add": {"pk": "workforce.Worker"},
    "workforce:community": {"pk": "places.Place"},
    "workforce:seat_end": {"pk": "workforce.CommitteeSeat"},
    "workforce:scan": {"pk": "workforce.Certificate", "scan_pk": "workforce.CertificateScan"},
    "workforce:reward_step": {"pk": "workforce.Reward", "step": "=approve|pay|refuse"},
    "workforce-worker-": {"pk": "workforce.Worker"},
    "workforce-community-": {"pk": "places.Place"},
    "workforce-term-": {"pk": "workforce.CommitteeTerm"},
    "workforce-reward-": {"pk": "workforce.Reward"},
    # workforce: first secretaries and seconded cadres (item 3), training exports
    "workforce:course_export": {"pk": "workforce.Course"},
    "workforce:appointment": {"pk": "workforce.Appointment"},
    "workforce:appointment_scan": {
        "pk": "workforce.Appointment",
        "scan_pk": "workforce.AppointmentReportScan",
    },
    "workforce-appointment-": {"pk": "workforce.Appointment"},
    # care: notices (a resident's notice page takes the notice), rentals, visits
    "care:notice": {"pk": "care.Notice"},
    "care:knock": {"pk": "care.Notice"},
    "care:notice_sms": {"pk": "care.Notice"},
    "care:mine_notice": {"pk": "care.Notice"},
    "care:rental": {"pk": "care.RentedHome"},
    "care:tenancy_end": {"pk": "care.Tenancy"},
    "care:tenancy_extend": {"pk": "care.Tenancy"},
    "care:visit_plan": {"pk": "care.VisitPlan"},
    "care:visit_new": {"pk": "care.VisitPlan"},
    "care:visit_ticket": {"pk": "care.Visit"},
    "care:visit_reassign": {"pk": "care.VisitPlan"},
    "care:visit_photo": {"pk": "care.VisitPhoto"},
    "care:round": {"pk": "care.CheckRound"},
    "care:round_rollup": {"pk": "care.CheckRound"},
    "care:round_item": {"pk": "care.CheckItem"},
    "care:service_point_edit": {"pk": "care.ServicePoint"},
    "care:talent_edit": {"resident_pk": "people.Resident"},
    "care:talent_backbone": {"pk": "care.Talent"},
    "care:talent_withdraw": {"pk": "care.Talent"},
    "care:talent_reveal": {"pk": "care.Talent"},
    "care:opinion_ticket": {"pk": "care.Opinion"},
    "care:opinion_handled": {"pk": "care.Opinion"},
    "care:hook_wechat": {"key": "code:care.OpinionChannel.key"},
    "care:hook_dingtalk": {"key": "code:care.OpinionChannel.key"},
    "care-talent-": {"pk": "care.Talent"},
    "care-opinion-": {"pk": "care.Opinion"},
    "care-notice-": {"pk": "care.Notice"},
    "my-notice-": {"pk": "care.Notice"},
    "rented-home-": {"pk": "care.RentedHome"},
    "tenancy-": {"pk": "care.Tenancy"},
    "care-visit-plan-": {"pk": "care.VisitPlan"},
    "my-visit-": {"pk": "care.VisitPlan"},
    "care-round-": {"pk": "care.CheckRound"},
    "care-round-item-": {"pk": "care.CheckItem"},
    # organisations (social organisations, incubation, subsidies, venture philanthropy)
    "organisations:organisation": {"pk": "organisations.Organisation"},
    "organisations:registration": {"pk": "organisations.Organisation"},
    "organisations:dissolve": {"pk": "organisations.Organisation"},
    "organisations:rating": {"pk": "organisations.Organisation"},
    "organisations:party_org": {"pk": "organisations.Organisation"},
    "organisations:document": {"pk": "organisations.Organisation"},
    "organisations:contact": {"pk": "organisations.Organisation"},
    "organisations:incubation_step": {"pk": "organisations.Incubation"},
    "organisations:subsidy": {"pk": "organisations.SubsidyApplication"},
    "organisations:round": {"pk": "organisations.VentureRound"},
    "organisations:application": {"pk": "organisations.VentureApplication"},
    # The public page shows only awarded or closed rounds: a second, awarded round.
    "organisations:public_round": {"pk": "named:awarded_round"},
    "social-organisation-": {"pk": "organisations.Organisation"},
    "incubation-": {"pk": "organisations.Incubation"},
    "org-subsidy-": {"pk": "organisations.SubsidyApplication"},
    "venture-round-": {"pk": "organisations.VentureRound"},
    "venture-project-": {"pk": "organisations.VentureApplication"},
    # funds (community funds, purchased services, funding lines)
    "funds:fund": {"pk": "funds.Fund"},
    "funds:fund_xlsx": {"pk": "funds.Fund"},
    "funds:public_fund": {"pk": "funds.Fund"},
    "funds:remove_purchase": {"pk": "funds.PurchasedService"},
    "funds:line": {"pk": "funds.FundingLine"},
    "community-fund-": {"pk": "funds.Fund"},
    "purchased-service-": {"pk": "funds.PurchasedService"},
    "funding-line-": {"pk": "funds.FundingLine"},
    # party: committee members, bodies (两新组织 etc.) and their organisations
    "party:committee_add": {"pk": "party.PartyOrg"},
    "party:committee_end": {"pk": "party.CommitteeMember"},
    "party:body_org": {"pk": "party.Body"},
    "party-committee-": {"pk": "party.CommitteeMember"},
    "party-body-": {"pk": "party.Body"},
    # partylife: yearly plans, transfers of membership
    "partylife:plan_year": {"pk": "party.PartyOrg"},
    "partylife:transfers": {"pk": "party.PartyOrg"},
    "partylife:transfer_step": {"pk": "partylife.Transfer", "step": "=accept|refuse|withdraw"},
    "partylife-transfer-": {"pk": "partylife.Transfer"},
    # partylife: pledges, responsibility areas, the yearly letter to the workplace
    "partylife:pledges": {"pk": "party.PartyOrg"},
    "partylife:pledge_review": {"pk": "partylife.Pledge"},
    "partylife:areas": {"pk": "party.PartyOrg"},
    "partylife:area_end": {"pk": "partylife.ResponsibilityArea"},
    "partylife:letters": {"pk": "party.PartyOrg"},
    "partylife:letter": {"pk": "party.PartyMember", "year": "=2026"},
    "partylife-pledge-": {"pk": "partylife.Pledge"},
    "partylife-area-": {"pk": "partylife.ResponsibilityArea"},
    # partylife: the vanguard index (items declared and reviewed, the branch's scores)
    "partylife:index_branch": {"pk": "party.PartyOrg"},
    "partylife:index_record": {"pk": "party.PartyOrg"},
    "partylife:index_review": {"pk": "partylife.IndexItem"},
    "partylife:index_evidence": {"pk": "partylife.IndexEvidence"},
    "partylife-index-branch": {"pk": "party.PartyOrg"},
    "partylife-index-item-": {"pk": "partylife.IndexItem"},
    # The Django admin: only for accounts with is_staff, which no post gives.
    "admin:": {
        "object_id": "=1",
        "content_type_id": "=1",
        "pk": "=1",
        "app_label": "=auth",
        "url": "=x/",
    },
}

# Patterns (by route) that may answer a GET for an object of a foreign jurisdiction.
PUBLIC = {
    "deliberation/public/<int:community_id>/": "a community's public deliberation page",
    "deliberation/public/<int:community_id>/notices/": "a community's public notice board",
    "microprojects/public/<int:community_id>/": "a community's public micro-project page",
    "microprojects/photos/<int:pk>/": "photos are part of a project's public disclosure",
    "organisations/public/venture/<int:pk>/": (
        "a venture round's published results (公益创投 winners and awards, awarded or closed "
        "rounds only) are a public disclosure, shown without login"
    ),
    "funds/public/<int:pk>/": (
        "a community fund's public disclosure (every entry, anonymous donors as 爱心人士, no "
        "personal data) is shown without login"
    ),
    "open311/v2/^services/(?P<code>[^/]+)\\.(?P<fmt>json|xml)$": "Open311 GET is public",
    "open311/v2/^requests/(?P<request_id>[A-Za-z0-9-]+)\\.(?P<fmt>json|xml)$": (
        "Open311 GET is public (a request's public status)"
    ),
}

# Patterns whose object belongs to no jurisdiction (installation-wide configuration, granted
# to whole-district roles): left out of the foreign-object matrix, with the reason.
INSTALLATION_WIDE = {
    "tickets/categories/<int:pk>/": "the ticket category tree is one for the installation",
    "tickets/categories/<int:pk>/<str:change>/": "the ticket category tree is installation-wide",
    "api/v1/^privacy/register/(?P<pk>\\d+)/$": (
        "the register of processing activities is one for the installation"
    ),
    "profiles/<slug:name>/": "policy profiles are documents of the installation",
}
# Arguments that name no object: a pattern with only these has nothing foreign to reach
# (a list or a form of the user's own scope), so it is not in the matrix.
NOT_OBJECTS = {"format", "fmt"}
# The router's format-suffix twins ("…/(?P<pk>\d+)\.(?P<format>…)/?$") call the same view
# with the same object as the plain route, which is in the matrix.
FORMAT_TWIN = re.compile(r"\\\.\(\?P<format>")

# Every pattern × method is tried by these (the strongest foreign case: a street officer of
# street A against street B; the district officer of another district; no login) …
ALWAYS = (Role.STREET_OFFICER, Role.DISTRICT_OFFICER, None)
# … and by SAMPLED of the other roles, chosen per pattern from its route (deterministic).
SAMPLED = 3
OTHERS = [role for role in HOME_OF_ROLE if role not in ALWAYS]

POST_BODY = {
    "reason": "越权测试",
    "reason_kind": "wrong_person",
    "text": "外辖区越权测试",
    "title": "越权测试",
    "name": "越权测试",
    "description": "越权测试",
    "choice": "yes",
    "amount": "1",
    "minutes": "30",
    "hours": "1",
    "feasible": "1",
    "cost": "1",
    "label": "1-101",
    "area_m2": "80",
    "status": "closed",
    "note": "越权测试",
    "decision": "approve",
}
DONE = {200, 201, 204}
REFUSED = {401, 403, 404, 405}
# Tables a refused request may still write: the session (last activity, flash messages).
UNCHECKED_TABLES = {"django_session"}


# ---------------------------------------------------------------------------- the patterns
def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


_ARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _arguments(route: str) -> list[str]:
    return [m.group("name") or m.group("rname") for m in _ARG.finditer(route)]


def _mapping(name: str) -> dict[str, str] | None:
    if name in ARGUMENTS:
        return ARGUMENTS[name]
    prefixes = [k for k in ARGUMENTS if k[-1] in ":-" and name.startswith(k)]
    return ARGUMENTS[max(prefixes, key=len)] if prefixes else None


ALL_PATTERNS = list(_walk(get_resolver()))
WITH_ARGUMENTS = sorted(
    {(route, name) for route, name, _ in ALL_PATTERNS if _arguments(route)},
)
MATRIX = [
    (route, name)
    for route, name in WITH_ARGUMENTS
    if set(_arguments(route)) - NOT_OBJECTS
    and route not in INSTALLATION_WIDE
    and not FORMAT_TWIN.search(route)
    # An unmapped pattern fails test_every_argument_is_mapped instead.
    and all(argument in (_mapping(name) or {}) for argument in _arguments(route))
]


def _value(spec: str, foreign) -> str:
    if spec.startswith("="):
        return spec[1:]
    if spec.startswith("named:"):
        return str(foreign.named[spec[6:]].pk)
    if spec == "place:estate":
        return str(foreign.estate.pk)
    if spec.startswith("code:"):
        label, field = spec[5:].rsplit(".", 1)
        return str(getattr(foreign.get(apps.get_model(label)), field))
    return str(foreign.get(apps.get_model(spec)).pk)


def _variants(route: str, name: str) -> list[dict[str, str]]:
    """The argument specs of a pattern, one dict per value of a "=a|b|c" argument."""
    mapping = _mapping(name) or {}
    variants = [{}]
    for argument in _arguments(route):
        if argument not in mapping:
            return []  # reported by test_every_argument_is_mapped
        spec = mapping[argument]
        values = [f"={v}" for v in spec[1:].split("|")] if spec.startswith("=") else [spec]
        variants = [{**v, argument: value} for v in variants for value in values]
    return variants


def _url(route: str, name: str, foreign, specs: dict[str, str] | None = None) -> str:
    specs = specs or _variants(route, name)[0]

    def fill(match):
        return _value(specs[match.group("name") or match.group("rname")], foreign)

    path = _ARG.sub(fill, route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
    return "/" + path


# A write is any INSERT, UPDATE or DELETE that touched a row (the statement's own row count),
# seen by a wrapper on the connection around each request. Comparing checksums of every table
# before and after each request (the first version) read the whole database twice per request,
# 13,000 times a run: most of the suite's time. The wrapper sees the same writes — a statement
# that changed no row is no write — at no cost; tests below show it sees each kind.
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?([\w.]+)",
    re.IGNORECASE,
)
_CTE_WRITE = re.compile(r"^\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


class Writes:
    """The tables written to while it is active (as `with Writes() as writes:`)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self._wrapper = None

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql)
        if match is None and not _CTE_WRITE.match(sql):
            return result
        table = match.group(1) if match else "?"
        # A statement with RETURNING has no row count until its rows are read (SQLite).
        rowcount = getattr(context.get("cursor"), "rowcount", -1)
        if "RETURNING" in sql.upper():
            rowcount = -1
        if table not in UNCHECKED_TABLES and rowcount != 0:
            self.tables.add(table)
        return result

    def __enter__(self) -> Writes:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)


def _body(foreign) -> dict:
    """POST_BODY plus the ids a form or serializer checks before it looks up the object."""
    option = foreign.get(apps.get_model("deliberation.PollOption"))
    return {**POST_BODY, "options": [str(option.pk)]}


def _roles_for(route: str) -> list:
    start = zlib.crc32(route.encode()) % len(OTHERS)
    sampled = [OTHERS[(start + i) % len(OTHERS)] for i in range(SAMPLED)]
    return [*ALWAYS, *sampled]


def _verdict(response, method: str, route: str, anonymous: bool) -> str | None:
    status = response.status_code
    if status in REFUSED:
        return None
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        target = location.split("?")[0]
        # To the login page: only a visitor who is not logged in (a logged-in user sent
        # there would mean the test lost its session); the admin's login: anyone.
        if target.endswith("/django-admin/login/") or (anonymous and target.endswith("/login/")):
            return None
        # Back to a page with the refusal said in a flash message (a service's ValidationError).
        levels = {m.level for m in getattr(response.wsgi_request, "_messages", [])}
        if levels and max(levels) >= messages.ERROR and messages.SUCCESS not in levels:
            return None
        return f"redirect to {location}"
    if status in DONE and route in PUBLIC:
        return None  # a public page (a POST is ignored: the write check still applies)
    return f"answered {status}"


# ---------------------------------------------------------------------------- the tests
def test_every_argument_is_mapped():
    """A new URL with an argument must say which foreign object fills it."""
    unmapped = []
    for route, name in WITH_ARGUMENTS:
        mapping = _mapping(name) or {}
        missing = [a for a in _arguments(route) if a not in mapping]
        if missing:
            unmapped.append(f"{name or '(unnamed)'} {route}: {', '.join(missing)}")
    assert not unmapped, "URL arguments without a mapping in ARGUMENTS:\n" + "\n".join(unmapped)


def test_allow_lists_name_real_patterns():
    routes = {route for route, _ in MATRIX}
    assert not set(PUBLIC) - routes
    assert not set(INSTALLATION_WIDE) - {route for route, _ in WITH_ARGUMENTS}


def test_the_api_has_no_format_suffix_twins():
    """The routers make no ".json" twins (they once reached custom actions that take no
    `format` and answered 500); a twin that comes back must be put in the matrix."""
    assert not [route for route, _ in WITH_ARGUMENTS if FORMAT_TWIN.search(route)]


def test_every_model_has_a_foreign_object(matrix, db):
    """A new model that the fill in conftest.py cannot build says so here (add it to EXTRA)."""
    assert not matrix.foreign.errors


def test_every_role_is_checked_or_an_admin():
    from .conftest import ADMIN_ROLES

    assert set(HOME_OF_ROLE) | ADMIN_ROLES == set(Role)


# The API's other verbs (PATCH, DELETE) on every API pattern, by the ALWAYS roles.
API_CASES = [
    (route, name, method, specs)
    for route, name in MATRIX
    if route.startswith("api/")
    for specs in _variants(route, name)
    for method in ("PATCH", "DELETE")
]
CASES = [
    (route, name, method, specs)
    for route, name in MATRIX
    for specs in _variants(route, name)
    for method in ("GET", "POST")
]


def _case_id(route, specs, method) -> str:
    literal = [v[1:] for v in specs.values() if v.startswith("=") and "|" not in v]
    return " ".join([route, *literal, method])


def _request(client, method: str, url: str, foreign):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, _body(foreign))
    return client.generic(method, url, json.dumps(POST_BODY), "application/json")


def check(matrix, route: str, name: str, method: str, roles, specs=None) -> list[str]:
    """What each role gets for `method` on the pattern filled with the foreign objects."""
    foreign = matrix.foreign
    url = _url(route, name, foreign, specs)
    problems = []
    client = Client()
    for role in roles:
        client.logout()
        if role is not None:
            client.force_login(matrix.users[role])
        with Writes() as writes:
            response = _request(client, method, url, foreign)
        who = role or "anonymous"
        verdict = _verdict(response, method, route, anonymous=role is None)
        if verdict:
            problems.append(f"{who}: {method} {url} {verdict}")
        changed = sorted(writes.tables)
        if changed:
            problems.append(f"{who}: {method} {url} wrote to {', '.join(changed)}")
    return problems


@pytest.mark.parametrize(
    ("route", "name", "method", "specs"), CASES, ids=[_case_id(r, s, m) for r, _, m, s in CASES]
)
def test_foreign_object_is_out_of_reach(matrix, db, route, name, method, specs):
    problems = check(matrix, route, name, method, _roles_for(route), specs)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("route", "name", "method", "specs"),
    API_CASES,
    ids=[_case_id(r, s, m) for r, _, m, s in API_CASES],
)
def test_foreign_object_is_out_of_reach_by_api_verbs(matrix, db, route, name, method, specs):
    problems = check(matrix, route, name, method, ALWAYS, specs)
    assert not problems, "\n".join(problems)


def test_the_matrix_sees_a_leak(matrix, db, monkeypatch):
    """The checker itself: a ticket selector that forgot its scope is reported."""
    from gongzhi.tickets import selectors
    from gongzhi.tickets.models import Ticket

    monkeypatch.setattr(
        selectors, "get_ticket", lambda user, pk, *a, **k: Ticket.objects.get(pk=pk)
    )
    problems = check(matrix, "tickets/<int:pk>/", "tickets:detail", "GET", [Role.STREET_OFFICER])
    assert problems and "answered 200" in problems[0]


def test_the_write_detector_sees_inserts_updates_and_deletes(matrix, db):
    from gongzhi.core.models import Notification

    note = matrix.foreign.get(Notification)
    with Writes() as reads:
        list(Notification.objects.filter(pk=note.pk))
        Notification.objects.filter(pk=-1).update(text="无此行")  # touched no row: no write
    assert reads.tables == set()
    with Writes() as updates:
        Notification.objects.filter(pk=note.pk).update(text="改了")
    assert updates.tables == {"core_notification"}
    with Writes() as inserts:
        Notification.objects.create(user=note.user, text="新的")
    assert inserts.tables == {"core_notification"}
    with Writes() as deletes:
        Notification.objects.filter(pk=note.pk).delete()
    assert deletes.tables == {"core_notification"}


def test_the_matrix_sees_a_write(matrix, db, monkeypatch):
    """The checker itself: a page that writes on a refused request is reported."""
    from gongzhi.core.models import Notification
    from gongzhi.tickets import selectors

    note = matrix.foreign.get(Notification)
    original = selectors.get_ticket

    def writing(user, pk, *args, **kwargs):
        Notification.objects.filter(pk=note.pk).update(text="泄露写入")
        return original(user, pk, *args, **kwargs)

    monkeypatch.setattr(selectors, "get_ticket", writing)
    problems = check(matrix, "tickets/<int:pk>/", "tickets:detail", "GET", [Role.STREET_OFFICER])
    assert any("wrote to core_notification" in p for p in problems), problems


# Patterns that no user of the foreign jurisdiction reaches either, with the reason: the
# positive control below cannot show that their foreign object is the right one.
UNREACHABLE_AT_HOME = {
    "django-admin/": "the Django admin needs is_staff, which no post gives",
    "open311/v2/^(?P<rest>.+)$": "Open311's catch-all answers 404 by design",
    "mediation/meetings/<int:pk>/agenda/": (
        "POST only, naming the mediation committee in the body, for a dispute meeting of that "
        "committee; the same meeting is reached through deliberation/meetings/<pk>/"
    ),
    "api/v1/^owners-votes/(?P<pk>\\d+)/cast/$": (
        "casting needs an open vote and the user's own roll entry; the same vote is reached "
        "through owners-votes/<pk>/open/"
    ),
    "care/hooks/": (
        "the WeChat and DingTalk callbacks answer only a request signed with the channel's "
        "secret (403 otherwise, 404 for the other platform's key); tests/care/test_opinions.py "
        "reaches them with signed requests"
    ),
    "tickets/ledger/exports/<int:pk>/download/": (
        "the file exists only once the background export has written it (404 before); the same "
        "export is reached through tickets/ledger/exports/<pk>/, and tests/tickets/"
        "test_ledger_export.py downloads a finished one"
    ),
    "api/v1/^workforce-appointments/(?P<pk>\\d+)/report/$": (
        "only the appointee submits their end-of-term report (an object rule: everyone else "
        "403); the same appointment is reached through workforce-appointments/<pk>/"
    ),
}


@pytest.mark.parametrize(("route", "name"), MATRIX, ids=[r for r, _ in MATRIX])
def test_home_users_do_reach_the_object(matrix, db, route, name):
    """Positive control: the URL and its object are right, so the refusals above are about
    the jurisdiction. Someone of the foreign jurisdiction itself (its street officer, the
    community secretary, a resident there) or an administrator gets past the lookup with
    GET or POST: an answer other than 404 / 405 / a login redirect."""
    if route.startswith(tuple(UNREACHABLE_AT_HOME)):
        return
    url = _url(route, name, matrix.foreign)
    seen = []
    for user in matrix.controls:
        client = Client()
        client.force_login(user)
        for method in ("GET", "POST", "PATCH", "DELETE"):
            if method == "GET":
                response = client.get(url)
            elif method == "POST":
                response = client.post(url, _body(matrix.foreign))
            else:
                response = client.generic(method, url, "{}", "application/json")
            seen.append(response.status_code)
            if response.status_code not in (403, 404, 405):
                return
    pytest.fail(f"nobody at home reaches {url}: {seen}")
