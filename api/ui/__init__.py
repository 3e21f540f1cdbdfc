"""The web pages for coordinators, cities and companies, served by the API's own app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.ui import (
    account,
    city,
    company,
    engagement,
    engagement_company,
    funnel,
    inbox,
    people,
    registration,
    shortlist,
    sign_in,
)
from api.ui.errors import install_page_errors
from api.ui.pages import router
from api.ui.rendering import HERE

__all__ = ["install_pages"]


def install_pages(app: FastAPI) -> None:
    app.include_router(city.router)  # before /challenges/{challenge_id}: /challenges/new
    app.include_router(router)
    app.include_router(shortlist.router)
    app.include_router(engagement.router)
    app.include_router(engagement_company.router)
    for area in (sign_in, account, people, company, registration, funnel, inbox):
        app.include_router(area.router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    install_page_errors(app)
