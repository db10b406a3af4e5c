"""The coho CLI parser and its in-process error handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from coho.daemon.config import load_daemon_config
from coho.server import cli
from coho.server.commands.up import ensure_token, write_configs
from coho.server.config import load_server_config


@pytest.mark.parametrize("command", ["server", "daemon", "up", "status", "version"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: coho {command}")


def test_config_error_exits_2_with_one_line_per_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "s.yaml"
    config.write_text("listen: nowhere\nextra: 1\n")
    assert cli.main(["server", "--config", str(config)]) == cli.EXIT_CONFIG_ERROR
    err = capsys.readouterr().err.splitlines()
    assert f"coho: config error: {config}: listen: 'nowhere' is not host:port" in err
    assert any(line.startswith(f"coho: config error: {config}: extra: unknown key") for line in err)


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["daemon", "--config", str(tmp_path / "none.yaml")]) == 2
    assert "(file): No such file or directory" in capsys.readouterr().err


def test_up_writes_loadable_configs_and_keeps_token(tmp_path: Path) -> None:
    token = ensure_token(tmp_path)
    assert ensure_token(tmp_path) == token
    server_path, daemon_path = write_configs(tmp_path, 6000, token)
    server = load_server_config(server_path)
    daemon = load_daemon_config(daemon_path)
    assert server.listen == "127.0.0.1:6000" and daemon.listen == "127.0.0.1:6001"
    daemon_token = (tmp_path / "daemon-token").read_text().strip()
    assert daemon.server.address == "127.0.0.1:6000" and daemon.server.token == daemon_token != token
    assert server.auth.tokens[token].user == "admin"
    # The daemon reaches the server with a connector-only token of its own, credited to the daemon's user.
    assert server.auth.tokens[daemon_token].roles == ["connector"]
    assert server.auth.tokens[daemon_token].user == daemon.user
    assert server.data_dir == tmp_path / "data"
