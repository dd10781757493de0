"""Django's admin for staff: every model, with private reflections kept private.

What a workshop holds is live data: every change to it must raise the workshop's revision and
tell the screens, which only the services do. So the admin shows it read-only, and what it can
do to it — delete a workshop, revoke a share link or an organizer's access — it does through
the services, as the workshop's facilitator would.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from workshop import services
from workshop.models import (
    Activity,
    AgendaTemplate,
    Answer,
    Completion,
    Participant,
    PollAnswer,
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


class ReadOnly:
    """Live data: shown, never written here (see the module's docstring)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TableInline(ReadOnly, admin.TabularInline):
    model = Table
    extra = 0
    fields = ["number", "name"]


class AccessInline(ReadOnly, admin.TabularInline):
    model = WorkshopAccess
    extra = 0
    fields = ["user", "granted_by", "granted_at"]
    readonly_fields = fields


@admin.register(Workshop)
class WorkshopAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "code", "facilitator", "status", "anonymous", "created_at"]
    list_filter = ["status", "anonymous"]
    search_fields = ["title", "code"]
    list_select_related = ["facilitator"]
    readonly_fields = ["revision", "stage_revision", "closed_at", "personal_data_removed_at"]
    exclude = ["projector_key", "current_activity", "spotlight"]
    inlines = [TableInline, AccessInline]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_deleted_objects(self, objs, request):
        # What it holds goes with it, through the service, although none of it is deletable
        # on its own here.
        to_delete, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, counts, set(), protected

    def delete_model(self, request, obj):
        services.delete_workshop(obj.facilitator, obj)

    def delete_queryset(self, request, queryset):
        for workshop in queryset.select_related("facilitator"):
            self.delete_model(request, workshop)


@admin.register(Table)
class TableAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "number", "workshop"]
    list_select_related = ["workshop"]
    search_fields = ["name", "workshop__title"]
    readonly_fields = ["revision"]


class StepInline(ReadOnly, admin.StackedInline):
    model = Step
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "kind", "position", "workshop"]
    list_filter = ["kind"]
    list_select_related = ["workshop"]
    search_fields = ["title", "workshop__title"]
    readonly_fields = ["revision"]
    raw_id_fields = ["workshop", "source"]
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["prompt", "kind", "position", "activity"]
    list_filter = ["kind"]
    list_select_related = ["activity"]
    raw_id_fields = ["activity"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "workshop", "table", "joined_at"]
    list_select_related = ["workshop", "table"]
    search_fields = ["name", "workshop__title"]
    raw_id_fields = ["workshop", "table"]
    readonly_fields = ["revision"]


@admin.register(Takeaway)
class TakeawayAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["text", "workshop", "table", "author", "hidden", "deleted", "posted_at"]
    list_filter = ["hidden", "deleted", "from_reflection"]
    list_select_related = ["workshop", "table", "author"]
    search_fields = ["text", "workshop__title"]
    raw_id_fields = ["workshop", "activity", "table", "author"]
    readonly_fields = ["token", "revision", "posted_at", "edited_at", "spotlighted_at"]


@admin.register(Answer)
class AnswerAdmin(ReadOnly, admin.ModelAdmin):
    """A reflection is for its author alone: staff see that it exists, never what it says."""

    list_display = ["participant", "step", "updated_at"]
    list_select_related = ["participant", "step"]
    fields = ["participant", "step", "updated_at"]


@admin.register(PollAnswer)
class PollAnswerAdmin(ReadOnly, admin.ModelAdmin):
    """Nobody's answer: what was chosen, never by whom (not even the digest of who, while open)."""

    list_display = ["step", "choices", "text"]
    list_select_related = ["step"]
    fields = ["step", "choices", "text"]


@admin.register(Completion)
class CompletionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["participant", "activity"]
    list_select_related = ["participant", "activity"]
    raw_id_fields = ["participant", "activity"]
    readonly_fields = ["revision"]


@admin.register(Vote)
class VoteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["takeaway", "participant"]
    list_select_related = ["takeaway", "participant"]
    raw_id_fields = ["takeaway", "participant"]


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name"]


@admin.register(WorkshopAccess)
class WorkshopAccessAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "workshop", "granted_by", "granted_at"]
    list_select_related = ["user", "workshop", "granted_by"]
    search_fields = ["user__email", "workshop__title"]
    raw_id_fields = ["workshop", "user", "granted_by"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected organizers' access")
    def revoke(self, request, queryset):
        for access in queryset.select_related("workshop__facilitator"):
            services.revoke_access(access.workshop.facilitator, access)


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnly, admin.ModelAdmin):
    """Only a hash of each link's secret is stored: a link cannot be read back, or made here."""

    list_display = ["workshop", "created_by", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["workshop", "created_by"]
    list_filter = ["revoked_at"]
    fields = ["workshop", "created_by", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected share links")
    def revoke(self, request, queryset):
        for link in queryset.filter(revoked_at=None).select_related("workshop__facilitator"):
            services.revoke_share_link(link.workshop.facilitator, link)


@admin.register(RemovedDevice)
class RemovedDeviceAdmin(admin.ModelAdmin):
    """Phones removed by a facilitator; deleting a row lets that phone join again."""

    list_display = ["workshop", "removed_at"]
    list_select_related = ["workshop"]
    raw_id_fields = ["workshop"]
    readonly_fields = ["device_hash", "removed_at"]
