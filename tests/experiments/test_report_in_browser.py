"""report.html in a real browser: every plot renders, no console errors, hover works."""

import pytest

from dsegym.experiments.browser_check import check_page, missing_reason

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason())),
]


def test_report_renders_in_headless_chromium(finished, tmp_path):
    shot = tmp_path / "report.png"
    result = check_page(finished.report_html, screenshot=shot)
    assert result.errors == []
    # nine figures of fronts and histories, then the scoreboard's anytime ECDFs: one per
    # problem (two) and one pooled over problems
    assert result.expected_plots == 12
    assert len(result.plots) == 12
    for plot in result.plots:
        # every figure drew something: SVG markers, lines, or a WebGL canvas (3-D)
        assert plot["points"] or plot["lines"] or plot["gl"], plot
    # hovering a front point shows who found it, the design and the metrics
    assert "design" in result.hover and "metrics" in result.hover
    assert " = " in result.hover
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
