from django.contrib.auth import views as auth_views
from django.urls import path

from facilitator import agenda_views, run_views, views

app_name = "facilitator"

urlpatterns = [
    path("f/", views.home, name="home"),
    path(
        "f/login/",
        auth_views.LoginView.as_view(template_name="facilitator/login.html"),
        name="login",
    ),
    path("f/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("f/setup/<str:token>/", views.first_facilitator, name="setup"),
    path("f/w/<int:workshop_id>/", views.console, name="console"),
    path("f/w/<int:workshop_id>/tables/", views.tables, name="tables"),
    path("f/w/<int:workshop_id>/cards/", views.table_cards, name="cards"),
    path("f/w/<int:workshop_id>/status/", views.set_status, name="status"),
    path("f/w/<int:workshop_id>/takeaways.csv", views.download_csv, name="csv"),
    path("f/w/<int:workshop_id>/t/<int:takeaway_id>/hide/", views.hide, name="hide"),
    path("f/w/<int:workshop_id>/step/", run_views.step, name="step"),
    path("f/w/<int:workshop_id>/go/<int:activity_id>/", run_views.go, name="go"),
    path("f/w/<int:workshop_id>/timer/", run_views.timer, name="timer"),
    path("f/w/<int:workshop_id>/spotlight/", run_views.spotlight, name="spotlight"),
    path("f/w/<int:workshop_id>/order/<int:activity_id>/", run_views.order, name="order"),
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
]
