"""Memory-controller knobs, named and valued as DRAMSys' ``mcconfig`` names them.

A design is a plain dict of these knobs. :func:`controller_space` builds the design
space for a device (its refresh policies differ), and :class:`ControllerConfig` checks
a design and turns it into the integer codes the simulation kernel uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsegym.costmodels.dram.devices import Device
from dsegym.costmodels.parameters import Parameter, described
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal
from dsegym.errors import ConfigError

PAGE_POLICIES = ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive")
SCHEDULERS = ("Fifo", "FrFcfs", "FrFcfsGrp")
SCHEDULER_BUFFERS = ("Bankwise", "ReadWrite", "Shared")
RESP_QUEUES = ("Fifo", "Reorder")
REFRESH_POLICIES = ("NoRefresh", "AllBank", "PerBank", "SameBank")
ARBITERS = ("Simple", "Fifo", "Reorder")
POWER_DOWN_POLICIES = ("NoPowerDown", "Staggered")
# Address mappings, most significant field first: RowBankColumn keeps a row's bursts
# together (DRAMSys "rbc"), BankRowColumn gives each bank a contiguous slab ("brc"),
# RowColumnBank interleaves consecutive bursts over bank groups and banks.
ADDRESS_MAPPINGS = ("RowBankColumn", "BankRowColumn", "RowColumnBank")

MAX_REQUEST_BUFFER = 32
MAX_ACTIVE_TRANSACTIONS = 128
MAX_REFRESH_SLACK = 8

DEFAULT_DESIGN: dict[str, Any] = {
    "PagePolicy": "Open",
    "Scheduler": "FrFcfs",
    "SchedulerBuffer": "Bankwise",
    "RequestBufferSize": 8,
    "RespQueue": "Fifo",
    "RefreshPolicy": "AllBank",
    "RefreshMaxPostponed": 0,
    "RefreshMaxPulledin": 0,
    "Arbiter": "Simple",
    "MaxActiveTransactions": 128,
    "PowerDownPolicy": "NoPowerDown",
    "AddressMapping": "RowBankColumn",
}
"""DRAMSys' example configuration (its LPDDR4 embedded config), used as a baseline."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "PagePolicy": PAGE_POLICIES,
    "Scheduler": SCHEDULERS,
    "SchedulerBuffer": SCHEDULER_BUFFERS,
    "RespQueue": RESP_QUEUES,
    "RefreshPolicy": REFRESH_POLICIES,
    "Arbiter": ARBITERS,
    "PowerDownPolicy": POWER_DOWN_POLICIES,
    "AddressMapping": ADDRESS_MAPPINGS,
}
_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "RequestBufferSize": (1, MAX_REQUEST_BUFFER),
    "MaxActiveTransactions": (1, MAX_ACTIVE_TRANSACTIONS),
    "RefreshMaxPostponed": (0, MAX_REFRESH_SLACK),
    "RefreshMaxPulledin": (0, MAX_REFRESH_SLACK),
}

PARAMETER_GROUPS: dict[str, list[str]] = {
    "scheduling": ["Scheduler", "RespQueue", "Arbiter"],
    "buffering": ["SchedulerBuffer", "RequestBufferSize", "MaxActiveTransactions"],
    "refresh": ["RefreshPolicy", "RefreshMaxPostponed", "RefreshMaxPulledin"],
    "page_management": ["PagePolicy", "AddressMapping"],
    "power": ["PowerDownPolicy"],
}
"""Controller subsystems and the knobs each owns (the multi-agent formulation)."""


KNOB_MEANINGS: dict[str, str] = {
    "PagePolicy": "row-buffer policy: keep a row open after an access, or close it",
    "Scheduler": "order in which queued requests are served (FR-FCFS: row hits first)",
    "SchedulerBuffer": "how the scheduler's request buffer is shared: per bank, per "
    "direction or by all",
    "RequestBufferSize": "requests the scheduler buffer holds (per bank when bankwise)",
    "RespQueue": "responses returned in completion order (Fifo) or in request order",
    "RefreshPolicy": "refresh scheme: none, all banks at once, per bank or same bank",
    "RefreshMaxPostponed": "refreshes that may be postponed while requests are pending",
    "RefreshMaxPulledin": "refreshes that may be issued early while the channel is idle",
    "Arbiter": "how requests from the initiators are passed on to the channel controller",
    "MaxActiveTransactions": "transactions an initiator may have in flight",
    "PowerDownPolicy": "whether idle ranks enter power-down (staggered) or never",
    "AddressMapping": "address bits to row, bank and column, most significant first",
}
"""One line of meaning per controller knob (DRAMSys' configuration names)."""


def with_meanings(parameters: list[Parameter]) -> DesignSpace:
    """A space of controller knobs, each with its line from :data:`KNOB_MEANINGS`."""
    return DesignSpace([described(p, KNOB_MEANINGS[p.name]) for p in parameters])


def controller_space(device: Device) -> DesignSpace:
    """The controller design space for ``device`` (its supported refresh policies only)."""
    return with_meanings(
        [
            Categorical("PagePolicy", PAGE_POLICIES),
            Categorical("Scheduler", SCHEDULERS),
            Categorical("SchedulerBuffer", SCHEDULER_BUFFERS),
            Integer("RequestBufferSize", 1, MAX_REQUEST_BUFFER),
            Categorical("RespQueue", RESP_QUEUES),
            Categorical("RefreshPolicy", device.refresh_policies),
            Integer("RefreshMaxPostponed", 0, MAX_REFRESH_SLACK),
            Integer("RefreshMaxPulledin", 0, MAX_REFRESH_SLACK),
            Categorical("Arbiter", ARBITERS),
            Ordinal.powers_of_two("MaxActiveTransactions", 1, MAX_ACTIVE_TRANSACTIONS),
            Categorical("PowerDownPolicy", POWER_DOWN_POLICIES),
            Categorical("AddressMapping", ADDRESS_MAPPINGS),
        ]
    )


@dataclass(frozen=True)
class ControllerConfig:
    """A checked controller configuration.

    Build it with :meth:`from_design`; unknown knobs or values raise ``ConfigError``.
    """

    page_policy: str
    scheduler: str
    scheduler_buffer: str
    request_buffer_size: int
    resp_queue: str
    refresh_policy: str
    refresh_max_postponed: int
    refresh_max_pulledin: int
    arbiter: str
    max_active_transactions: int
    power_down_policy: str
    address_mapping: str

    @classmethod
    def from_design(
        cls, design: Mapping[str, Any], device: Device | None = None
    ) -> ControllerConfig:
        """Checks ``design`` (missing knobs take :data:`DEFAULT_DESIGN` values).

        Raises:
            ConfigError: for an unknown knob, a value outside its choices or range, or a
                refresh policy ``device`` does not support.
        """
        unknown = [k for k in design if k not in DEFAULT_DESIGN]
        if unknown:
            raise ConfigError(
                f"unknown controller knob(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(DEFAULT_DESIGN)}"
            )
        full = {**DEFAULT_DESIGN, **design}
        for knob, choices in _CHOICES.items():
            if full[knob] not in choices:
                raise ConfigError(f"{knob}={full[knob]!r}; allowed: {', '.join(choices)}")
        for knob, (low, high) in _INTEGER_RANGES.items():
            value = full[knob]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{knob}={value!r}; must be an integer from {low} to {high}")
        if device is not None and full["RefreshPolicy"] not in device.refresh_policies:
            raise ConfigError(
                f"RefreshPolicy={full['RefreshPolicy']!r} is not available on {device.name} "
                f"({device.standard}); allowed: {', '.join(device.refresh_policies)}"
                + (
                    " (SameBank refresh exists only on DDR5)"
                    if full["RefreshPolicy"] == "SameBank"
                    else ""
                )
            )
        return cls(
            page_policy=full["PagePolicy"],
            scheduler=full["Scheduler"],
            scheduler_buffer=full["SchedulerBuffer"],
            request_buffer_size=full["RequestBufferSize"],
            resp_queue=full["RespQueue"],
            refresh_policy=full["RefreshPolicy"],
            refresh_max_postponed=full["RefreshMaxPostponed"],
            refresh_max_pulledin=full["RefreshMaxPulledin"],
            arbiter=full["Arbiter"],
            max_active_transactions=full["MaxActiveTransactions"],
            power_down_policy=full["PowerDownPolicy"],
            address_mapping=full["AddressMapping"],
        )

    def codes(self) -> tuple[int, ...]:
        """The integer codes the simulation kernel takes, in its argument order."""
        return (
            PAGE_POLICIES.index(self.page_policy),
            SCHEDULERS.index(self.scheduler),
            SCHEDULER_BUFFERS.index(self.scheduler_buffer),
            self.request_buffer_size,
            REFRESH_POLICIES.index(self.refresh_policy),
            self.refresh_max_postponed,
            self.refresh_max_pulledin,
            ARBITERS.index(self.arbiter),
            self.max_active_transactions,
            int(self.resp_queue == "Reorder" or self.arbiter == "Reorder"),
            POWER_DOWN_POLICIES.index(self.power_down_policy),
        )
