"""Django's admin for staff: every model, with private reflections kept private."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from workshop.models import (
    Activity,
    AgendaTemplate,
    Answer,
    Completion,
    Participant,
    RemovedDevice,
    ShareLink,
    Step,
    Table,
    Takeaway,
    User,
    Vote,
    Workshop,
    WorkshopAccess,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_organizer", "is_staff"]
    list_filter = ["is_organizer", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_organizer", "is_staff", "is_superuser", "groups"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "is_organizer", "password1", "password2"]},
        )
    ]


class TableInline(admin.TabularInline):
    model = Table
    extra = 0
    fields = ["number", "name"]


class AccessInline(admin.TabularInline):
    model = WorkshopAccess
    extra = 0
    fields = ["user", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    autocomplete_fields = ["user"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "facilitator", "status", "anonymous", "created_at"]
    list_filter = ["status", "anonymous"]
    search_fields = ["title", "code"]
    list_select_related = ["facilitator"]
    readonly_fields = ["revision", "stage_revision", "closed_at", "personal_data_removed_at"]
    exclude = ["projector_key", "current_activity", "spotlight"]
    inlines = [TableInline, AccessInline]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "workshop"]
    list_select_related = ["workshop"]
    search_fields = ["name", "workshop__title"]
    readonly_fields = ["revision"]


class StepInline(admin.StackedInline):
    model = Step
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "position", "workshop"]
    list_filter = ["kind"]
    list_select_related = ["workshop"]
    search_fields = ["title", "workshop__title"]
    readonly_fields = ["revision"]
    raw_id_fields = ["workshop", "source"]
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["prompt", "kind", "position", "activity"]
    list_filter = ["kind"]
    list_select_related = ["activity"]
    raw_id_fields = ["activity"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "table", "joined_at"]
    list_select_related = ["workshop", "table"]
    search_fields = ["name", "workshop__title"]
    raw_id_fields = ["workshop", "table"]
    readonly_fields = ["revision"]


@admin.register(Takeaway)
class TakeawayAdmin(admin.ModelAdmin):
    list_display = ["text", "workshop", "table", "author", "hidden", "deleted", "posted_at"]
    list_filter = ["hidden", "deleted", "from_reflection"]
    list_select_related = ["workshop", "table", "author"]
    search_fields = ["text", "workshop__title"]
    raw_id_fields = ["workshop", "activity", "table", "author"]
    readonly_fields = ["token", "revision", "posted_at", "edited_at", "spotlighted_at"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """A reflection is for its author alone: staff see that it exists, never what it says."""

    list_display = ["participant", "step", "updated_at"]
    list_select_related = ["participant", "step"]
    fields = ["participant", "step", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["participant", "activity"]
    list_select_related = ["participant", "activity"]
    raw_id_fields = ["participant", "activity"]
    readonly_fields = ["revision"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["takeaway", "participant"]
    list_select_related = ["takeaway", "participant"]
    raw_id_fields = ["takeaway", "participant"]


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name"]


@admin.register(WorkshopAccess)
class WorkshopAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "workshop", "granted_by", "granted_at"]
    list_select_related = ["user", "workshop", "granted_by"]
    search_fields = ["user__email", "workshop__title"]
    raw_id_fields = ["workshop", "user", "granted_by"]


@admin.action(description="Revoke the selected share links")
def revoke_links(modeladmin, request, queryset):
    queryset.filter(revoked_at=None).update(revoked_at=timezone.now())


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Only a hash of each link's secret is stored: a link cannot be read back, or made here."""

    list_display = ["workshop", "created_by", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["workshop", "created_by"]
    list_filter = ["revoked_at"]
    fields = ["workshop", "created_by", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["workshop", "created_by", "created_at"]
    actions = [revoke_links]

    def has_add_permission(self, request):
        return False


@admin.register(RemovedDevice)
class RemovedDeviceAdmin(admin.ModelAdmin):
    """Phones removed by a facilitator; deleting a row lets that phone join again."""

    list_display = ["workshop", "removed_at"]
    list_select_related = ["workshop"]
    raw_id_fields = ["workshop"]
    readonly_fields = ["device_hash", "removed_at"]
