"""Controller knobs: names and values as DRAMSys', clear errors for bad ones."""

import pytest

from dsegym.costmodels.dram.config import DEFAULT_DESIGN, ControllerConfig, controller_space
from dsegym.costmodels.dram.devices import device_names, load_device
from dsegym.errors import ConfigError, UnknownNameError


def test_defaults_are_valid_on_every_device():
    for name in device_names():
        device = load_device(name)
        ControllerConfig.from_design(DEFAULT_DESIGN, device)
        assert controller_space(device).contains(DEFAULT_DESIGN)


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ({"PagePolicy": "Opn"}, "PagePolicy='Opn'; allowed: Open, OpenAdaptive"),
        ({"Scheduler": "FRFCFS"}, "allowed: Fifo, FrFcfs, FrFcfsGrp"),
        ({"RequestBufferSize": 0}, "RequestBufferSize=0; must be an integer from 1"),
        ({"MaxActiveTransactions": 0}, "MaxActiveTransactions=0"),
        ({"RefreshMaxPostponed": 9}, "from 0 to 8"),
        ({"RefreshMaxPulledin": -1}, "from 0 to 8"),
        ({"RequestBufferSize": 2.5}, "must be an integer"),
        ({"CmdMux": "Oldest"}, "unknown controller knob"),
    ],
)
def test_bad_knobs_raise_config_errors(design, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        ControllerConfig.from_design(design)


def test_refresh_policies_follow_the_standard():
    with pytest.raises(ConfigError, match="PerBank.*not available on ddr4-2400"):
        ControllerConfig.from_design({"RefreshPolicy": "PerBank"}, load_device("ddr4-2400"))
    with pytest.raises(ConfigError, match="only on DDR5"):
        ControllerConfig.from_design({"RefreshPolicy": "SameBank"}, load_device("hbm2"))
    ControllerConfig.from_design({"RefreshPolicy": "PerBank"}, load_device("lpddr4-3200"))
    assert "PerBank" not in controller_space(load_device("ddr3-1600"))["RefreshPolicy"].values


def test_unknown_device_presets_name_the_known_ones():
    with pytest.raises(UnknownNameError, match="ddr4-2400"):
        load_device("ddr5-4800")
