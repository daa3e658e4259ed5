"""Opens a report in headless Chromium: did every plot render, did the page log errors?

    python -m dsegym.experiments.browser_check results/quickstart/report.html --screenshot shot.png

Playwright drives the system's Chromium (Debian's ``chromium`` package; Playwright's
own browser download is never used), with a fresh temporary profile per launch.
Console messages arrive with their level, so warnings the browser itself emits on a
machine without a GPU (software WebGL) are told apart from the page's errors.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dsegym.errors import DsegymError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless on a machine without a GPU and without reaching out to the network.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The 3-D views need WebGL; without a GPU that is SwiftShader, which Chromium only
    # uses when asked (the page is local and trusted).
    "--enable-unsafe-swiftshader",
)
#: How many plots the page holds and how many plotly drew, with the markers drawn.
COUNT_JS = """() => ({
  expected: Number(document.body.dataset.figures || 0),
  rendered: Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    (div) => ({id: div.id, points: div.querySelectorAll('.scatterlayer .point').length,
               lines: div.querySelectorAll('.scatterlayer .js-line').length,
               gl: div.querySelectorAll('.gl-container canvas').length})),
})"""


#: The lines of a plotly hover box (an SVG text with one tspan per line).
HOVER_JS = """(box) => Array.from(box.querySelectorAll('tspan.line')).map(
  (t) => t.textContent).join('\\n') || box.textContent"""


class BrowserMissingError(DsegymError):
    """No Chromium on PATH, or Playwright is not installed."""


@dataclass
class BrowserCheck:
    """What Chromium made of a page.

    Attributes:
        expected_plots: Figures the page says it holds (its ``data-figures``).
        plots: Per figure plotly drew: its div id, SVG markers and lines, WebGL canvases.
        hover: The hover box shown over the first marker of the page (``""`` if none).
        errors: Console errors and uncaught exceptions of the page.
        warnings: Console warnings (the browser's own about software WebGL among them).
    """

    expected_plots: int
    plots: list[dict[str, object]]
    hover: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.plots) == self.expected_plots > 0 and not self.errors


def chromium() -> str | None:
    """The path of a Chromium-family browser on PATH, if any."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_reason() -> str | None:
    """Why :func:`check_page` cannot run here, or ``None`` if it can."""
    if chromium() is None:
        return f"no Chromium on PATH (looked for {', '.join(CANDIDATES)}; Debian: chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    return None


def check_page(
    page: Path, screenshot: Path | None = None, width: int = 1400, timeout_s: float = 120.0
) -> BrowserCheck:
    """Loads ``page`` in headless Chromium; optionally saves a full-page screenshot.

    Raises:
        BrowserMissingError: if Chromium or Playwright is missing.
    """
    reason = missing_reason()
    if reason is not None:
        raise BrowserMissingError(reason)
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    warnings: list[str] = []

    def on_console(message: object) -> None:
        kind, text = message.type, message.text  # type: ignore[attr-defined]
        if kind == "error":
            errors.append(text)
        elif kind == "warning":
            warnings.append(text)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=list(FLAGS))
        try:
            tab = browser.new_page(viewport={"width": width, "height": 900})
            tab.set_default_timeout(timeout_s * 1000)
            tab.on("console", on_console)
            tab.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
            tab.goto(Path(page).resolve().as_uri(), wait_until="load")
            tab.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot').length >= "
                "Number(document.body.dataset.figures || 1)"
            )
            counts = tab.evaluate(COUNT_JS)
            hover = ""
            first_point = tab.locator(".scatterlayer .point").first
            if first_point.count():
                first_point.hover(force=True)
                hover = tab.locator(".hoverlayer .hovertext").first.evaluate(HOVER_JS)
            if screenshot is not None:
                tab.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return BrowserCheck(counts["expected"], counts["rendered"], hover, errors, warnings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    result = check_page(args.page, args.screenshot)
    print(f"plots rendered: {len(result.plots)} of {result.expected_plots}")
    for plot in result.plots:
        print(
            f"  {plot['id']}: {plot['points']} markers, {plot['lines']} lines, "
            f"{plot['gl']} WebGL canvases"
        )
    print(f"hover over the first marker: {result.hover!r}")
    for line in result.errors:
        print(f"error: {line}")
    for line in result.warnings:
        print(f"warning: {line}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
