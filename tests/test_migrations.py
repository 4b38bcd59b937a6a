"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext

from config import ROOT
from models import Base
from models.database import make_engine


def test_migrated_database_matches_the_models(backend):
    engine = make_engine(backend.database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_nothing_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    engine = make_engine(url)
    alembic = AlembicConfig(str(ROOT / "alembic.ini"))
    with engine.begin() as connection:
        alembic.attributes.update(connection=connection, configure_logger=False)
        command.upgrade(alembic, "head")
        command.downgrade(alembic, "base")
        command.upgrade(alembic, "head")
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
    engine.dispose()
