"""Names people type for regions and hardware: ambiguity is refused, common names resolve."""

from __future__ import annotations

import json

import pytest

from greenai import tables
from greenai.errors import AmbiguousNameError, InputError


@pytest.fixture(scope="module")
def data() -> tables.Tables:
    return tables.load()


# ----------------------------------------------------------------------------- ambiguity


def test_us_east1_is_google_south_carolina_not_aws_virginia(data) -> None:
    # Google Cloud's us-east1 (South Carolina) and AWS's us-east-1 (Virginia) differ only in
    # punctuation; each resolves as written, the punctuation-free form is refused.
    assert data.region("us-east1").key == "gcp:us-east1"
    assert data.region("us-east1").carbon_intensity_g_per_kwh == 575.77
    assert data.region("us-east-1").key == "aws:us-east-1"
    with pytest.raises(AmbiguousNameError) as caught:
        data.region("useast1")
    assert caught.value.candidates == ["aws:us-east-1", "gcp:us-east1"]
    assert str(caught.value) == (
        "region 'useast1' is ambiguous: write 'aws:us-east-1' (US East (N. Virginia), Virginia, "
        "United States) or 'gcp:us-east1' (South Carolina, United States)"
    )


def test_a_name_two_rows_share_as_written_is_refused(data) -> None:
    with pytest.raises(AmbiguousNameError) as caught:
        data.region("Georgia")
    assert caught.value.candidates == ["ge", "us-ga"]
    assert isinstance(caught.value, InputError)  # the CLI's one-line funnel handles it


def test_an_estimate_with_an_ambiguous_region_is_one_error_line(cli, write) -> None:
    path = write("hardware: 8 x V100\nhours: 10\nregion: Georgia\n")
    result = cli("estimate", path)
    assert result.code == 2 and result.out == ""
    assert result.err.strip() == (
        f"error: {path}:3: region: region 'Georgia' is ambiguous: write 'ge' (Georgia) "
        "or 'us-ga' (Georgia, United States)"
    )


def test_an_estimate_for_us_east1_uses_south_carolina(cli, write) -> None:
    path = write("hardware: 8 x V100\nhours: 10\nregion: us-east1\n")
    result = cli("estimate", path, "--format", "json")
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    assert row["carbon_intensity_g_per_kwh"] == 575.77


def test_every_key_resolves_to_itself(data) -> None:
    for key in data.regions:
        assert data.region(key).key == key
        assert data.region(key.upper()).key == key
    for key in data.devices:
        assert data.device(key).key == key


def _names(data: tables.Tables, kind: str) -> dict[str, list[str]]:
    """Every key and name of every row, as written: name -> the keys whose row carries it."""
    found: dict[str, list[str]] = {}
    if kind == "region":
        for region in data.regions.values():
            names = (
                region.key,
                region.name,
                region.iso_code,
                region.provider_region or "",
                *region.aliases,
            )
            for name in filter(None, names):
                found.setdefault(" ".join(name.split()).casefold(), []).append(region.key)
    else:
        for device in data.devices.values():
            for name in (device.key, device.name, *device.aliases):
                found.setdefault(" ".join(name.split()).casefold(), []).append(device.key)
    return found


@pytest.mark.parametrize("kind", ["region", "device"])
def test_every_collision_is_refused_or_resolved_as_written(data, kind) -> None:
    lookup = data.region if kind == "region" else data.device
    keys_as_typed = data.regions if kind == "region" else data.devices
    collisions = data.ambiguous_names()[kind]
    assert collisions, "the tables have names that differ only in punctuation"
    as_written = _names(data, kind)
    by_form: dict[str, list[str]] = {}
    for name in as_written:
        for form in {tables.normalize(name), tables.normalize(tables._strip_vendor(name))}:
            by_form.setdefault(form, []).append(name)
    for form, keys in collisions.items():
        # The punctuation-free form fits several rows: refused, listing them, unless one row
        # carries it as written (Azure's bare id "canadacentral") or it is a key ("a100").
        try:
            resolved = lookup(form).key
        except AmbiguousNameError as error:
            assert error.candidates == keys, form
        else:
            assert resolved in keys and (as_written.get(form) == [resolved] or form == resolved)
        # Each colliding name as written resolves to its own row, unless two rows carry it.
        for name in by_form[form]:
            owners = sorted(set(as_written[name]))
            if name.replace(" ", "-") in keys_as_typed:
                assert lookup(name).key == name.replace(" ", "-")  # a key as written wins
            elif len(owners) == 1:
                assert lookup(name).key == owners[0], name
            else:
                with pytest.raises(AmbiguousNameError) as caught:
                    lookup(name)
                assert set(owners) <= set(caught.value.candidates), name


def test_the_known_collisions_are_listed(data) -> None:
    regions = data.ambiguous_names()["region"]
    assert regions["useast1"] == ["aws:us-east-1", "gcp:us-east1"]
    assert regions["uswest2"] == ["aws:us-west-2", "gcp:us-west2"]
    assert regions["canadacentral"] == ["aws:ca-central-1", "azure:canadacentral"]
    assert data.region("canadacentral").key == "azure:canadacentral"  # Azure's id as written
    assert data.region("Canada (Central)").key == "aws:ca-central-1"  # AWS's name as written
    devices = data.ambiguous_names()["device"]
    assert devices["intelceleron220"] == ["cpu-intel-celeron-2-20", "cpu-intel-celeron-220"]
    assert data.device("Intel Celeron 2.20").key == "cpu-intel-celeron-2-20"
    assert data.device("Intel Celeron 220").key == "cpu-intel-celeron-220"
    with pytest.raises(AmbiguousNameError):
        data.device("intelceleron220")
