"""The demo content ``coho up`` catalogues: a landing folder, a SQLite database and an archives folder.

Each piece is created only when absent, so a second run never overwrites what the user put there (or
deliberately removed): the sample files are written only when ``landing/`` itself is new, the database only
when ``demo.db`` does not exist, and the README only when ``archives/`` is new.
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

LANDING = "landing"
ARCHIVES = "archives"
DATABASE = "demo.db"

SAMPLE_FILES: dict[str, str] = {
    "customers.csv": "customer_id,name,country\n1,Ada Lovelace,GB\n2,Grace Hopper,US\n3,Katherine Johnson,US\n",
    "orders-2026-11.json": '[{"order_id": 1001, "customer_id": 1, "total": 42.5},\n'
                           ' {"order_id": 1002, "customer_id": 3, "total": 17.0}]\n',
    "README.md": "# Landing folder\n\nDrop files here: coho catalogues each one as a DataFile within seconds.\n",
}
ARCHIVES_README = ("Drop Egeria open metadata archives (*.omarchive) here: the archive monitor loads each "
                   "new one into the server.\n")

# A small shop: three tables, a view, typed columns, keys and a few rows.
DEMO_SCHEMA = textwrap.dedent("""\
    CREATE TABLE customers (
        customer_id INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        email       TEXT,
        country     CHAR(2) NOT NULL DEFAULT 'GB'
    );
    CREATE TABLE products (
        product_id  INTEGER PRIMARY KEY,
        sku         VARCHAR(16) NOT NULL UNIQUE,
        title       TEXT NOT NULL,
        price       NUMERIC(10, 2) NOT NULL
    );
    CREATE TABLE orders (
        order_id    INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(customer_id),
        product_id  INTEGER NOT NULL REFERENCES products(product_id),
        quantity    INTEGER NOT NULL DEFAULT 1,
        ordered_at  TIMESTAMP NOT NULL
    );
    CREATE VIEW order_totals AS
        SELECT c.name AS customer, SUM(o.quantity * p.price) AS total
        FROM orders o JOIN customers c USING (customer_id) JOIN products p USING (product_id)
        GROUP BY c.name;
    INSERT INTO customers VALUES (1, 'Ada Lovelace', 'ada@example.org', 'GB'),
                                 (2, 'Grace Hopper', 'grace@example.org', 'US');
    INSERT INTO products VALUES (1, 'TEA-01', 'Earl Grey', 4.50), (2, 'MUG-01', 'Mug', 9.00);
    INSERT INTO orders VALUES (1, 1, 1, 2, '2026-11-01 10:00:00'), (2, 2, 2, 1, '2026-11-02 11:30:00');
""")
DEMO_TABLES = ("customers", "products", "orders")
DEMO_VIEWS = ("order_totals",)


@dataclass(frozen=True)
class DemoPaths:
    """Absolute paths, because connectors resolve relative ones against the process's working directory."""

    directory: Path
    landing: Path
    archives: Path
    database: Path
    created: list[str] = field(default_factory=list, compare=False)


def demo_paths(directory: Path) -> DemoPaths:
    root = directory.expanduser().resolve()
    return DemoPaths(root, root / LANDING, root / ARCHIVES, root / DATABASE)


def ensure_demo(directory: Path) -> DemoPaths:
    """Create what is missing of the demo content; ``created`` lists it (relative to DIR) for the banner."""
    paths = demo_paths(directory)
    paths.directory.mkdir(parents=True, exist_ok=True)
    if _new_dir(paths.landing):
        for name, text in SAMPLE_FILES.items():
            _write_new(paths.landing / name, text)
        paths.created.append(f"{LANDING}/ ({len(SAMPLE_FILES)} sample files)")
    if _new_dir(paths.archives):
        _write_new(paths.archives / "README.txt", ARCHIVES_README)
        paths.created.append(f"{ARCHIVES}/")
    if not paths.database.exists():
        create_demo_database(paths.database)
        paths.created.append(f"{DATABASE} ({len(DEMO_TABLES)} tables, {len(DEMO_VIEWS)} view)")
    return paths


def create_demo_database(path: Path) -> None:
    """Build the database beside its final name and rename it, so a crash never leaves half a demo.db."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(DEMO_SCHEMA)
        connection.commit()
    finally:
        connection.close()
    # link() fails if demo.db appeared meanwhile (another `coho up`), where rename() would overwrite it.
    try:
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)


def _new_dir(path: Path) -> bool:
    try:
        path.mkdir()
    except FileExistsError:
        if not path.is_dir():
            raise NotADirectoryError(f"{path} exists and is not a directory") from None
        return False
    return True


def _write_new(path: Path, text: str) -> None:
    # "x" mode: never replace a file, even one created since the directory was made.
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        pass
