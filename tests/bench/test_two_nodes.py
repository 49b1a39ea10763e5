"""The two-node bench's balancer: its own configuration, pid file and logs in a
directory of its own, both nodes behind it, and nginx accepts the file."""

import shutil
import subprocess

import pytest

from bench.two_nodes import nginx_config


def test_the_balancer_spreads_over_every_node_and_keeps_its_files_to_itself(tmp_path):
    text = nginx_config(tmp_path, 18080, [18081, 18082])
    assert "server 127.0.0.1:18081;" in text
    assert "server 127.0.0.1:18082;" in text
    assert "listen 127.0.0.1:18080;" in text
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "daemon off;" in text
    for line in text.splitlines():
        if line.strip().startswith(("error_log", "access_log", "pid", "client_body")):
            assert str(tmp_path) in line, line


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, 18080, [18081, 18082]))
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
        + ["-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
