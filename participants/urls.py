from django.urls import path

from participants import activity_views, forget_views, notes_views, views

app_name = "participants"

urlpatterns = [
    path("j/", views.enter_code, name="enter_code"),
    path("j/<str:code>/", views.join, name="join"),
    path("j/<str:code>/<int:table_number>/", views.join, name="join_table"),
    path("w/<str:code>/", views.board, name="board"),
    path("w/<str:code>/post/", views.post, name="post"),
    path("w/<str:code>/updates/", views.updates, name="updates"),
    path("w/<str:code>/solo/", activity_views.solo, name="solo"),
    path("w/<str:code>/solo/mine.json", activity_views.solo_answers, name="solo_answers"),
    path("w/<str:code>/solo/<int:pk>/done/", activity_views.done, name="done"),
    path("w/<str:code>/answer/<int:pk>/", activity_views.answer, name="answer"),
    path("w/<str:code>/share/<int:pk>/", activity_views.share, name="share"),
    path("w/<str:code>/vote/<int:pk>/", activity_views.vote, name="vote"),
    path("w/<str:code>/poll/<int:pk>/", activity_views.poll_answer, name="poll_answer"),
    path("w/<str:code>/t/<int:pk>/edit/", views.edit, name="edit"),
    path("w/<str:code>/t/<int:pk>/delete/", views.delete, name="delete"),
    # The take-home notes.
    path("w/<str:code>/notes/", notes_views.my_notes, name="notes"),
    path("w/<str:code>/notes.md", notes_views.my_notes_markdown, name="notes_markdown"),
    path("w/<str:code>/notes.txt", notes_views.my_notes_text, name="notes_text"),
    # A participant deletes their own data.
    path("w/<str:code>/forget/", forget_views.forget_me, name="forget"),
]
