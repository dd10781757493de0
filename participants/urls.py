from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("j/", views.enter_code, name="enter_code"),
    path("j/<str:code>/", views.join, name="join"),
    path("j/<str:code>/<int:table_number>/", views.join, name="join_table"),
    path("w/<str:code>/", views.board, name="board"),
    path("w/<str:code>/post/", views.post, name="post"),
    path("w/<str:code>/updates/", views.updates, name="updates"),
    path("w/<str:code>/t/<int:pk>/edit/", views.edit, name="edit"),
    path("w/<str:code>/t/<int:pk>/delete/", views.delete, name="delete"),
]
