from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programme.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: Rødovre's programme as the 2020 memo describes it, a fictional "
        "organisation of about 3,000 people and one login per role. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every workplace's headcount (default 1: about 3,000 people).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. The demo passwords are printed: never in production.",
        )

    def handle(self, *args, scale, force, verbosity, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "The demo logins have published passwords; set DJANGO_DEBUG=1 or pass --force."
            )
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        result = load_demo(scale=scale)
        if verbosity == 0:
            return
        self.stdout.write(
            f"Demo loaded in {result.seconds:.1f} s: {result.administrations} administrations, "
            f"{result.workplaces} workplaces, {result.people} people ({result.new_people} new), "
            f"{result.med_committees} MED committees, {result.external_people} external people."
        )
        step_two = result.clarification
        if step_two is not None and (step_two.delivered or step_two.drafts):
            self.stdout.write(
                f"Clarification phase: step 1 approved everywhere; step 2 open with "
                f"{step_two.delivered} workplaces delivered and {step_two.drafts} drafts, "
                f"{step_two.leader_inputs} inputs from leaders, {step_two.anonymous_inputs} "
                f"anonymous inputs, {step_two.reminders_sent} reminders sent."
            )
        width = max(len(login.username) for login in result.logins)
        secret = max(len(login.password) for login in result.logins)
        self.stdout.write(f"{'Login':<{width}}  {'Password':<{secret}}  Role: person")
        for login in result.logins:
            self.stdout.write(
                f"{login.username:<{width}}  {login.password:<{secret}}  {login.role}: {login.who}"
            )
