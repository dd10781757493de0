from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from workshop.models import Participant, Table, Takeaway, User, Workshop


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class TableInline(admin.TabularInline):
    model = Table
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "facilitator", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "code"]
    inlines = [TableInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "table", "joined_at"]
    list_select_related = ["workshop", "table"]


@admin.register(Takeaway)
class TakeawayAdmin(admin.ModelAdmin):
    list_display = ["text", "workshop", "table", "author", "hidden", "deleted", "posted_at"]
    list_filter = ["hidden", "deleted"]
    list_select_related = ["workshop", "table", "author"]
