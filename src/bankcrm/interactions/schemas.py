"""API schemas for interactions."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class InteractionCreate(Schema):
    party_id: uuid.UUID
    channel: str = Field(description="branch, phone, email, chat, web, mobile, letter or sms")
    direction: str = Field(description="inbound or outbound")
    purpose: str = Field(max_length=64)
    summary: str = Field(max_length=4000)
    occurred_at: dt.datetime | None = None
    account_id: uuid.UUID | None = None
