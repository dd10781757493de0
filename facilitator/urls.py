from django.contrib.auth import views as auth_views
from django.urls import path

from facilitator import (
    agenda_views,
    data_views,
    download_views,
    organizer_views,
    people_views,
    profile_views,
    run_views,
    sharing_views,
    views,
)
from facilitator.forms import SignInForm

app_name = "facilitator"

urlpatterns = [
    path("f/", views.home, name="home"),
    path(
        "f/login/",
        auth_views.LoginView.as_view(
            template_name="facilitator/login.html", authentication_form=SignInForm
        ),
        name="login",
    ),
    path("f/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("f/profile/", profile_views.profile, name="profile"),
    path("f/setup/<str:token>/", views.first_facilitator, name="setup"),
    path("f/w/<int:workshop_id>/", views.console, name="console"),
    path("f/w/<int:workshop_id>/tables/", views.tables, name="tables"),
    path("f/w/<int:workshop_id>/cards/", views.table_cards, name="cards"),
    path("f/w/<int:workshop_id>/status/", views.set_status, name="status"),
    path("f/w/<int:workshop_id>/theme/", views.set_theme, name="theme"),
    path(
        "f/w/<int:workshop_id>/projector-language/",
        views.set_projector_language,
        name="projector_language",
    ),
    path("f/w/<int:workshop_id>/takeaways.csv", views.download_csv, name="csv"),
    path("f/w/<int:workshop_id>/t/<int:takeaway_id>/hide/", views.hide, name="hide"),
    path("f/w/<int:workshop_id>/step/", run_views.step, name="step"),
    path("f/w/<int:workshop_id>/go/<int:activity_id>/", run_views.go, name="go"),
    path("f/w/<int:workshop_id>/timer/", run_views.timer, name="timer"),
    path("f/w/<int:workshop_id>/spotlight/", run_views.spotlight, name="spotlight"),
    path("f/w/<int:workshop_id>/order/<int:activity_id>/", run_views.order, name="order"),
    path("f/w/<int:workshop_id>/votes/<int:activity_id>/", run_views.votes, name="votes"),
    path(
        "f/w/<int:workshop_id>/moderation/<int:activity_id>/",
        run_views.moderation,
        name="moderation",
    ),
    path("f/w/<int:workshop_id>/t/<int:takeaway_id>/approve/", run_views.approve, name="approve"),
    path("f/w/<int:workshop_id>/approve/", run_views.approve_all, name="approve_all"),
    path("f/w/<int:workshop_id>/focus/", run_views.focus, name="focus"),
    path("f/w/<int:workshop_id>/reveal/<int:activity_id>/", run_views.reveal, name="reveal"),
    path(
        "f/w/<int:workshop_id>/poll/<int:activity_id>/results/",
        run_views.poll_results,
        name="poll_results",
    ),
    path(
        "f/w/<int:workshop_id>/poll/<int:activity_id>/close/",
        run_views.close_poll,
        name="poll_close",
    ),
    path("f/w/<int:workshop_id>/updates/", views.console_updates, name="console_updates"),
    # The agenda editor.
    path("f/w/<int:workshop_id>/agenda/", agenda_views.agenda, name="agenda"),
    path("f/w/<int:workshop_id>/agenda/add/", agenda_views.add_activity, name="activity_add"),
    path(
        "f/w/<int:workshop_id>/agenda/template/",
        agenda_views.save_template,
        name="save_template",
    ),
    path(
        "f/w/<int:workshop_id>/agenda/<int:activity_id>/",
        agenda_views.edit_activity,
        name="activity",
    ),
    path(
        "f/w/<int:workshop_id>/agenda/<int:activity_id>/steps/",
        agenda_views.edit_steps,
        name="activity_steps",
    ),
    path(
        "f/w/<int:workshop_id>/agenda/<int:activity_id>/move/",
        agenda_views.move_activity,
        name="activity_move",
    ),
    path(
        "f/w/<int:workshop_id>/agenda/<int:activity_id>/delete/",
        agenda_views.delete_activity,
        name="activity_delete",
    ),
    path("p/<str:key>/", views.projector, name="projector"),
    path("p/<str:key>/updates/", views.projector_updates, name="projector_updates"),
    # Results: downloads and the report, sharing them, and participants' data.
    path("f/w/<int:workshop_id>/results/", sharing_views.results, name="results"),
    path("f/w/<int:workshop_id>/results/organizers/", sharing_views.grant, name="grant"),
    path(
        "f/w/<int:workshop_id>/results/organizers/<int:access_id>/remove/",
        sharing_views.revoke_access,
        name="revoke_access",
    ),
    path("f/w/<int:workshop_id>/results/links/", sharing_views.create_link, name="create_link"),
    path(
        "f/w/<int:workshop_id>/results/links/<int:link_id>/revoke/",
        sharing_views.revoke_link,
        name="revoke_link",
    ),
    path(
        "f/w/<int:workshop_id>/takeaways.xlsx",
        download_views.facilitator_download,
        {"kind": "xlsx"},
        name="facilitator_xlsx",
    ),
    path(
        "f/w/<int:workshop_id>/workshop.json",
        download_views.facilitator_download,
        {"kind": "json"},
        name="facilitator_json",
    ),
    path(
        "f/w/<int:workshop_id>/counts.csv",
        download_views.facilitator_download,
        {"kind": "counts"},
        name="facilitator_counts",
    ),
    path(
        "f/w/<int:workshop_id>/report/",
        download_views.facilitator_report,
        name="facilitator_report",
    ),
    path("f/w/<int:workshop_id>/data/", data_views.data_settings, name="data"),
    path(
        "f/w/<int:workshop_id>/data/remove/",
        data_views.remove_personal_data,
        name="remove_data",
    ),
    path("f/w/<int:workshop_id>/delete/", data_views.delete_workshop, name="delete"),
    path(
        "f/w/<int:workshop_id>/people/<int:participant_id>/remove/",
        people_views.remove_participant,
        name="remove_participant",
    ),
    # Organizers: the workshops shared with them.
    path("o/", organizer_views.home, name="organizer_home"),
    path("o/login/", organizer_views.OrganizerLoginView.as_view(), name="organizer_login"),
    path(
        "o/welcome/<str:uidb64>/<str:token>/",
        organizer_views.welcome,
        name="organizer_welcome",
    ),
    path("o/w/<int:workshop_id>/", organizer_views.results, name="organizer_results"),
    path(
        "o/w/<int:workshop_id>/takeaways.csv",
        download_views.organizer_download,
        {"kind": "csv"},
        name="organizer_csv",
    ),
    path(
        "o/w/<int:workshop_id>/takeaways.xlsx",
        download_views.organizer_download,
        {"kind": "xlsx"},
        name="organizer_xlsx",
    ),
    path(
        "o/w/<int:workshop_id>/workshop.json",
        download_views.organizer_download,
        {"kind": "json"},
        name="organizer_json",
    ),
    path(
        "o/w/<int:workshop_id>/counts.csv",
        download_views.organizer_download,
        {"kind": "counts"},
        name="organizer_counts",
    ),
    path("o/w/<int:workshop_id>/report/", download_views.organizer_report, name="organizer_report"),
    # Share links: read-only, no account.
    path("r/<str:key>/", download_views.shared_results, name="shared_results"),
    path(
        "r/<str:key>/takeaways.csv",
        download_views.shared_download,
        {"kind": "csv"},
        name="shared_csv",
    ),
    path(
        "r/<str:key>/takeaways.xlsx",
        download_views.shared_download,
        {"kind": "xlsx"},
        name="shared_xlsx",
    ),
    path(
        "r/<str:key>/workshop.json",
        download_views.shared_download,
        {"kind": "json"},
        name="shared_json",
    ),
    path(
        "r/<str:key>/counts.csv",
        download_views.shared_download,
        {"kind": "counts"},
        name="shared_counts",
    ),
    path("r/<str:key>/report/", download_views.shared_report, name="shared_report"),
]
