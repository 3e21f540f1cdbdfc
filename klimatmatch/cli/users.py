"""`klimatmatch users`: accounts and their API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from klimatmatch.accounts import service as accounts
from klimatmatch.cli.common import console, fail, sessions
from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import get_settings
from models import Role

users = typer.Typer(help="Accounts and their API tokens.", no_args_is_help=True)


@users.command("create")
def users_create(
    role: Annotated[Role, typer.Option(help="city, company, coordinator or admin")],
    name: Annotated[str, typer.Option(help="Who uses the token")] = "",
    org: Annotated[str | None, typer.Option(help="The city or company it acts for")] = None,
    country: Annotated[str, typer.Option(help="Country of a new organisation")] = "",
    email: Annotated[
        str | None,
        typer.Option(
            help="For signing in to the pages: set a password with 'Forgot your "
            "password?' on the sign-in page (or invite people there instead)"
        ),
    ] = None,
) -> None:
    """Create an account and print its API token. The token is shown only this once."""
    with sessions(get_settings()) as session:
        try:
            user, token = accounts.create_user(
                session=session,
                name=name or f"{role.value} user",
                role=role,
                organisation=org,
                country=country,
                email=email,
            )
        except KlimatmatchError as error:
            raise fail(error) from error
        session.commit()
    console.print(
        f"created user {user.id} ({role.value}{', ' + org if org else ''}); token:", highlight=False
    )
    print(token)
