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
    # the grid zone of South Carolina's region (Electricity Maps 2025, US-CAR-SC), not PJM's
    assert data.region("us-east1").carbon_intensity_g_per_kwh == 654
    assert data.region("us-east1").provider_g_per_kwh == 575.77  # Google's own, 2024
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
    assert row["carbon_intensity_g_per_kwh"] == 654
    result = cli("estimate", path, "--format", "json", "--basis", "provider")
    assert json.loads(result.out)[0]["carbon_intensity_g_per_kwh"] == 575.77


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


# ----------------------------------------------------------------------------- names people type


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("H100-80GB", "h100-sxm5-80gb"),
        ("NVIDIA H100 80GB HBM3", "h100-sxm5-80gb"),
        ("H800", "h800-sxm5"),
        ("L40S", "l40s"),
        ("NVIDIA L40S", "l40s"),
        ("EPYC 7763", "cpu-amd-epyc-7763"),
        ("Xeon Gold 6248", "cpu-xeon-gold-6248"),  # two sources, each as written
        ("Intel Xeon Gold 6248", "cpu-intel-xeon-gold-6248"),
        ("A100-PCIE-40GB", "a100-pcie-40gb"),
        ("v5litepod", "tpu-v5e"),
    ],
)
def test_device_names_people_type(data, name, key) -> None:
    assert data.device(name).key == key


def test_datasheet_figures(data) -> None:
    l40s = data.device("L40S")  # NVIDIA L40S datasheet: 350 W, dense peaks (half the sparse)
    assert (l40s.tdp_w, l40s.bf16_tflops, l40s.fp8_tflops, l40s.memory_gb) == (350, 362.05, 733, 48)
    assert data.device("H100").fp8_tflops == 1979  # 3,958 with sparsity, halved
    v100 = data.device("V100")  # Volta has FP16 tensor cores, no BF16
    assert (v100.bf16_tflops, v100.fp16_tflops) == (None, 125)
    assert data.device("A100 PCIe 40GB").tdp_w == 250  # NVIDIA: 250 W for 40 GB, 300 W for 80
    pcie = data.device("A100 PCIe")
    assert (pcie.tdp_w, pcie.memory_gb) == (300, 80)


@pytest.mark.parametrize(
    ("name", "key", "chips"),
    [
        ("v5p-64", "tpu-v5p", 32),  # TensorCores, two per chip
        ("v4-32", "tpu-v4", 16),
        ("TPU v3-8", "tpu-v3", 4),
        ("v5litepod-16", "tpu-v5e", 16),  # chips
        ("v5e-4", "tpu-v5e", 4),
        ("v6e-8", "tpu-v6e-trillium", 8),
    ],
)
def test_tpu_slices_are_chips_times_count(data, name, key, chips) -> None:
    device, count = data.tpu_slice(name)
    assert (device.key, count) == (key, chips)


def test_not_a_slice(data) -> None:
    assert data.tpu_slice("V100") is None
    with pytest.raises(InputError, match="v5p slice counts TensorCores"):
        data.tpu_slice("v5p-63")
    with pytest.raises(InputError, match="TPU slice of 32 chips"):
        data.device("v5p-64")  # a device lookup must not drop the 32


@pytest.mark.parametrize(
    ("hardware", "power_w"),
    [
        ("v5p-64", 32 * 540),  # Epoch: TPU v5p 540 W
        ("2 x v4-32", 32 * 340),  # two slices of 16 chips
        ("{device: v6e-8, count: 2}", 16 * 380),
        ("[{device: v5p-8}, 8 x H100-80GB]", 4 * 540 + 8 * 700),
    ],
)
def test_a_slice_in_an_experiment_file_is_its_chips(cli, write, hardware, power_w) -> None:
    path = write(f"hardware: {hardware}\nhours: 1\nregion: fr\n")
    result = cli("estimate", path, "--format", "json")
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    assert row["power_w"] == power_w


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UK", "gb"),
        ("Britain", "gb"),
        ("Great Britain", "gb"),
        ("United Kingdom of Great Britain and Northern Ireland", "gb"),
        ("USA", "us"),
        ("U.S.", "us"),
        ("United States of America", "us"),
        ("Holland", "nl"),
        ("South Korea", "kr"),
        ("Korea, Republic of", "kr"),
        ("Viet Nam", "vn"),
    ],
)
def test_region_names_people_type(data, name, key) -> None:
    assert data.region(name).key == key


def test_korea_names_two_countries(data) -> None:
    with pytest.raises(AmbiguousNameError) as caught:
        data.region("Korea")
    assert sorted(caught.value.candidates) == ["kp", "kr"]


# ----------------------------------------------------------------------------- cloud places


def _listed(cli, query: str) -> list[str]:
    result = cli("regions", query, "--format", "json")
    assert result.code == 0, result.err
    return [row["key"] for row in json.loads(result.out)]


def test_regions_finds_cloud_regions_by_country_and_state(cli) -> None:
    germany = _listed(cli, "germany")
    assert {"de", "gcp:europe-west3", "aws:eu-central-1", "azure:germanywestcentral"} <= set(
        germany
    )
    assert {"us-ia", "gcp:us-central1", "azure:centralus"} <= set(_listed(cli, "iowa"))
    assert "gcp:europe-west3" in _listed(cli, "Frankfurt")  # the city, from CodeCarbon


def test_cloud_rows_carry_their_place(data) -> None:
    assert data.regions["gcp:us-central1"].location == "Council Bluffs, Iowa, USA"
    assert data.regions["gcp:europe-west3"].location == "Frankfurt, Germany"
    assert all(r.location for r in data.regions.values() if r.kind == "cloud")
