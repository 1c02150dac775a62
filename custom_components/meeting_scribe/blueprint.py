"""Copies the blueprints shipped with the integration into the user's blueprints folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from homeassistant.core import HomeAssistant

from .const import LOGGER

SHIPPED = Path(__file__).parent / "blueprints"


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Add each shipped blueprint the user does not have yet; never overwrite one."""
    installed = await hass.async_add_executor_job(_install, Path(hass.config.path("blueprints")))
    for path in installed:
        LOGGER.info("Installed blueprint %s", path)


def _install(target_root: Path) -> list[Path]:
    installed = []
    for source in sorted(SHIPPED.rglob("*.yaml")):
        target = target_root / source.relative_to(SHIPPED)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            installed.append(target)
    return installed
