from typing import Literal

ExportKeyDataSetsFormat = Literal["csv", "json"]

EXPORT_KEY_DATA_SETS_FORMAT_VALUES: set[ExportKeyDataSetsFormat] = {
    "csv",
    "json",
}


def check_export_key_data_sets_format(value: str) -> ExportKeyDataSetsFormat:
    if value in EXPORT_KEY_DATA_SETS_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_KEY_DATA_SETS_FORMAT_VALUES!r}")
