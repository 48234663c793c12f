"""``ij-bgcorr run`` offers every method batch offers, with the same options and outputs."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import ij_bgcorr as ijb
from ij_bgcorr import data, workflows
from ij_bgcorr.cli.main import main


@pytest.mark.parametrize(("method", "options", "expected"), [
    ("median", ["--radius", "4"], lambda e, im: workflows.median_background(e, im, 4)),
    ("rolling-ball", ["--rolling", "20", "--light-background"],
     lambda e, im: workflows.rolling_ball_background(e, im, 20, light_background=True)),
    ("tophat", ["--radius", "3"], lambda e, im: workflows.tophat_background(e, im, 3)),
    ("maxproj", [], lambda e, im: workflows.max_projection_background(e, im)),
])
def test_run_gives_the_workflows_results(fiji, tmp_path, method, options, expected):
    res = CliRunner().invoke(main, ["run", "--method", method, *options,
                                    "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    image = data.load(data.POLYP if method == "maxproj" else data.SPOTS)
    background, foreground = expected(fiji, image)
    for name, want in (("background", background), ("foreground", foreground)):
        written = ijb.open_image(tmp_path / f"{name}.tif")
        np.testing.assert_array_equal(written.values, want.values, err_msg=name)
    assert (tmp_path / "input.tif").is_file()


def test_run_a_macro_with_parameters_and_tables(fiji, tmp_path):
    macro = tmp_path / "m.ijm"
    macro.write_text('#@ Integer size\nrun("Measure");\n'
                     'run("Duplicate...", "title=blurred");\n'
                     'run("Gaussian Blur...", "sigma=" + size);\n', encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(data.path(data.SPOTS)), "--method", "macro",
                                    "--macro", str(macro), "--arg", "size=2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["Results.csv", "blurred.tif", "input.tif"]
    expected = fiji.run_macro(macro, inputs={"input": data.load(data.SPOTS)}, args={"size": 2})
    np.testing.assert_array_equal(ijb.open_image(out / "blurred.tif").values,
                                  expected["blurred"].values)


def test_the_same_option_errors_on_run_and_batch(tmp_path):
    for command in (["run"], ["batch", str(data.path(data.SPOTS))]):
        res = CliRunner().invoke(main, [*command, "--radius", "-1", "--out", str(tmp_path)])
        assert res.exit_code == 1 and "radius must be > 0 pixels" in res.output, command
        res = CliRunner().invoke(main, [*command])
        assert res.exit_code == 2 and "Missing option '--out'" in res.output, command


@pytest.mark.jvm
def test_quiet_prints_nothing_but_errors(tmp_path):
    image = str(data.path(data.SPOTS))
    quiet = CliRunner().invoke(main, ["--quiet", "run", image, "--out", str(tmp_path / "q")])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert (tmp_path / "q" / "foreground.tif").is_file()
    loud = CliRunner().invoke(main, ["run", image, "--out", str(tmp_path / "l")])
    assert "foreground" in loud.output and "Recorded by ij-bgcorr" in loud.output
    failed = CliRunner().invoke(main, ["--quiet", "run", image, "--radius", "0",
                                       "--out", str(tmp_path / "e")])
    assert failed.exit_code == 1 and "radius must be > 0 pixels" in failed.output


def test_verbose_shows_what_the_package_logs(tmp_path):
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\x00" + bytes(10))
    res = CliRunner().invoke(main, ["--verbose", "batch", str(junk), "--no-progress",
                                    "--out", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "INFO ij_bgcorr.batch.run:" in res.output and "junk.tif failed" in res.output
    assert res.output.count("is not a readable TIFF file") == 2  # the log line, the summary


def test_an_option_the_method_does_not_take_is_named_as_typed(tmp_path):
    for command in (["run"], ["batch", str(data.path(data.SPOTS))]):
        res = CliRunner().invoke(main, [*command, "--method", "median", "--light-background",
                                        "--out", str(tmp_path)])
        assert res.exit_code == 2, res.output
        assert "--light-background: not an option of --method median (its options: " \
               "--radius)" in res.output
        res = CliRunner().invoke(main, [*command, "--arg", "a=1", "--out", str(tmp_path)])
        assert res.exit_code == 2 and "--arg: not an option of --method median" in res.output
