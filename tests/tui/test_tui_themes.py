"""Every screen reads in light themes as in dark ones: no text drawn in a colour too close to
its background (the light themes once drew IDs, "pending" and "-" white on light grey, and
the title dark on dark blue)."""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor

from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)
LEAST_CONTRAST = 2.5
"""WCAG contrast ratio under which a text is hard to read (muted text is kept above it)."""

SCREENS = {
    "queue": [],
    "case": ["enter"],
    "timeline": ["enter", "3"],
    "work": ["f3"],
    "customers": ["f4"],
    "plugins": ["f5"],
    "settings": ["f6"],
    "team": ["f7"],
    "help": ["question_mark"],
    "new case": ["n"],
    "escalate": ["enter", "E"],
}


def luminance(color: RichColor) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RichColor, b: RichColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hard_to_read(app: WorkbenchApp) -> list[str]:
    """The texts on screen whose colour is too close to their background."""
    found = []
    update = app.screen._compositor.render_full_update()
    for y, line in enumerate(update.strips):
        for segment in (segment for strip in line for segment in strip):
            text, style = segment.text.strip(), segment.style
            if not text or style is None or style.color is None or style.bgcolor is None:
                continue
            if any(ch in "▁▂▃▄▅▆▇█▔▕▏▎▍▌▋▊▉━─│┃╭╮╰╯▐" for ch in text):
                continue  # bars, borders and scrollbars are drawn, not read
            ratio = contrast(style.color, style.bgcolor)
            if ratio < LEAST_CONTRAST:
                found.append(f"line {y}: {text!r} {style.color.name} on {style.bgcolor.name} ({ratio:.1f})")
    return found


@pytest.mark.parametrize("theme", ["textual-light", "solarized-light", "textual-dark"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_every_screen_reads_in_every_theme(demo, wait, theme, screen):
    app = WorkbenchApp(demo, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await wait(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await wait(pilot)
        await pilot.pause(0.1)
        assert hard_to_read(app) == []
