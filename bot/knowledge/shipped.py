"""Put the shipped knowledge files (data/*.toml) into the database, where officials edit them."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from models.access import Actor
from models.knowledge import EntryValues, Imported, count_entries, import_entries

from .entries import DATA_DIR, read_directory

log = logging.getLogger(__name__)


def import_shipped(
    session: Session, *, overwrite: bool = False, actor: Actor | str = "system", directory: Path = DATA_DIR
) -> Imported:
    """Add the shipped entries the table lacks (by id); with overwrite, also reset edited ones to the files."""
    values = [
        EntryValues(
            key=entry.id,
            topic=entry.topic,
            intent=entry.intent,
            title=entry.title,
            questions=entry.questions,
            answer=entry.answer,
            source=entry.source,
        )
        for entry in read_directory(Path(directory))
    ]
    return import_entries(session, values, overwrite=overwrite, actor=actor)


def import_if_empty(session: Session) -> Imported | None:
    """Fill an empty table with the shipped entries and commit; None when it had entries (or another process won)."""
    try:
        if count_entries(session):
            return None
        imported = import_shipped(session)
        session.commit()
    except IntegrityError:
        # Several gunicorn workers start together: the first commit wins, the others find its rows.
        session.rollback()
        log.info("the knowledge base was imported by another process meanwhile")
        return None
    except OperationalError as error:  # e.g. not migrated yet, or SQLite busy: the bot answers from the files
        session.rollback()
        log.warning("could not import the shipped knowledge entries: %s", error)
        return None
    if not imported.created:  # another process committed its import between our count and our read
        return None
    log.info("imported %s shipped knowledge entries into an empty table", imported.created)
    return imported
