"""The only code that changes state, by topic; every write follows `rules`.

Each write that a screen shows runs inside a guard of `rules` (`facilitating` or
`participating`): it takes the workshop's lock and raises its revision first, then checks who
may do this and whether the room allows it, writes, stamps the rows it changed with the
revision, and says what changed; `live` tells the screens once the write is committed.
"""

from workshop.services.agenda import (
    add_activity,
    delete_activity,
    move_activity,
    set_steps,
    update_activity,
)
from workshop.services.datacare import (
    delete_workshop,
    forget_participant,
    purge_expired,
    remove_participant,
    remove_personal_data,
    set_data_settings,
)
from workshop.services.polls import answer_poll, close_poll, show_results
from workshop.services.profile import set_profile
from workshop.services.rules import NotAllowed, Refused
from workshop.services.sharing import (
    SHARE_LINK_DAYS,
    SHARE_LINK_MAX_DAYS,
    create_share_link,
    grant_access,
    revoke_access,
    revoke_share_link,
)
from workshop.services.solo import complete_solo, reveal_step, save_answer, share_answer
from workshop.services.takeaways import (
    approve,
    approve_all,
    delete_takeaway,
    edit_takeaway,
    post_takeaway,
    set_focus,
    set_moderated,
    set_order_by_votes,
    set_spotlight,
    set_takeaway_hidden,
    set_votes_hidden,
    take_back_vote,
    vote,
)
from workshop.services.timer import (
    add_minute,
    pause_timer,
    resume_timer,
    start_timer,
    stop_timer,
    timer_remaining,
)
from workshop.services.workshops import (
    MAX_TABLES,
    create_workshop,
    default_table_name,
    go_to_activity,
    join,
    join_anonymously,
    neighbour,
    rename_table,
    save_as_template,
    set_projector_language,
    set_projector_theme,
    set_workshop_open,
)

__all__ = [
    "MAX_TABLES",
    "SHARE_LINK_DAYS",
    "SHARE_LINK_MAX_DAYS",
    "NotAllowed",
    "Refused",
    "add_activity",
    "add_minute",
    "answer_poll",
    "approve",
    "approve_all",
    "close_poll",
    "complete_solo",
    "create_share_link",
    "create_workshop",
    "default_table_name",
    "delete_activity",
    "delete_takeaway",
    "delete_workshop",
    "edit_takeaway",
    "forget_participant",
    "go_to_activity",
    "grant_access",
    "join",
    "join_anonymously",
    "move_activity",
    "neighbour",
    "pause_timer",
    "post_takeaway",
    "purge_expired",
    "remove_participant",
    "remove_personal_data",
    "rename_table",
    "resume_timer",
    "reveal_step",
    "revoke_access",
    "revoke_share_link",
    "save_answer",
    "save_as_template",
    "set_data_settings",
    "set_focus",
    "set_moderated",
    "set_order_by_votes",
    "set_profile",
    "set_projector_language",
    "set_projector_theme",
    "set_spotlight",
    "set_steps",
    "set_takeaway_hidden",
    "set_votes_hidden",
    "set_workshop_open",
    "share_answer",
    "show_results",
    "start_timer",
    "stop_timer",
    "take_back_vote",
    "timer_remaining",
    "update_activity",
    "vote",
]
