from workshop.management.commands import createfacilitator


class Command(createfacilitator.Command):
    help = (
        "Create an organizer account that signs in with EMAIL and sees only the workshops a "
        "facilitator shares with it."
    )
    role = "organizer"
    account_fields = {"is_organizer": True}
