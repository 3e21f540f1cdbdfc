"""The web pages for coordinators, cities and companies, served by the API's own app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import (
    accessibility,
    account,
    auth,
    city,
    company,
    engagement,
    engagement_company,
    funnel,
    inbox,
    ocds_import,
    people,
    privacy,
    registration,
    shortlist,
    sign_in,
)
from api.pages.challenges import router
from api.pages.errors import install_page_errors
from api.pages.rendering import HERE

__all__ = ["install_pages"]


PAGE_ROUTERS = (
    city.router,  # before /challenges/{challenge_id}: /challenges/new
    ocds_import.router,  # and /challenges/import
    router,
    shortlist.router,
    engagement.router,
    engagement_company.router,
    *(
        area.router
        for area in (
            sign_in,
            account,
            people,
            privacy,
            company,
            registration,
            funnel,
            inbox,
            accessibility,
        )
    ),
)


def install_pages(app: FastAPI) -> None:
    """Every page route, each checked for a cross-site origin before it may change anything."""
    for page_router in PAGE_ROUTERS:
        app.include_router(page_router, dependencies=[auth.SameOrigin])
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    install_page_errors(app)
