"""The domain errors (core, no grpc) and the one map from them to gRPC status."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2

from coho.server import errors as e
from coho.server.rpc import errors as rpc_errors

EXPECTED_CODES = {
    e.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    e.NotFound: grpc.StatusCode.NOT_FOUND,
    e.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    e.Conflict: grpc.StatusCode.ABORTED,
    e.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    e.OutOfRange: grpc.StatusCode.OUT_OF_RANGE,
    e.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    e.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    e.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    e.Unavailable: grpc.StatusCode.UNAVAILABLE,
}


@pytest.mark.parametrize("module", ["server/coho/server/errors.py", "server/coho/server/config.py",
                                    "daemon/coho/daemon/config.py"])
def test_core_modules_do_not_import_grpc(module: str) -> None:
    # DESIGN §11: no grpc in the core; only coho.server.rpc maps errors to status codes.
    root = Path(rpc_errors.__file__ or "").resolve().parents[4]
    text = (root / module).read_text(encoding="utf-8")
    assert "import grpc" not in text and "from grpc" not in text


@pytest.mark.parametrize(("cls", "code"), EXPECTED_CODES.items(),
                         ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_error_class_has_its_status_code(cls: type[e.CohoError], code: grpc.StatusCode) -> None:
    err = cls(message="boom")
    assert rpc_errors.status_code_for(err) == code
    assert err.reason == cls.default_reason


def test_map_covers_every_subclass_in_the_core() -> None:
    assert set(rpc_errors.STATUS_CODES) == set(e.CohoError.__subclasses__())


def test_subclass_of_a_category_inherits_its_code() -> None:
    class VersionConflict(e.Conflict):
        default_reason = "STALE_VERSION"

    err = VersionConflict(message="expected version 3", metadata={"current_version": 4})
    assert rpc_errors.status_code_for(err) == grpc.StatusCode.ABORTED
    assert err.metadata == {"current_version": "4"}


def test_bare_coho_error_is_internal() -> None:
    assert rpc_errors.status_code_for(e.CohoError(message="x")) == grpc.StatusCode.INTERNAL


def test_constructor_is_keyword_only_and_reason_is_upper_snake() -> None:
    with pytest.raises(TypeError):
        e.NotFound("positional")  # type: ignore[misc]
    with pytest.raises(ValueError, match="UPPER_SNAKE"):
        e.NotFound(message="x", reason="notFound")


def test_errors_survive_pickling() -> None:
    err = e.InvalidArgument(message="bad", reason="BAD_GUID", field_violations=[("guid", "empty")],
                            resource=("EntityDetail", "g"), metadata={"a": "b"})
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is e.InvalidArgument
    assert (copy.message, copy.reason, copy.field_violations, copy.resource, copy.metadata) == (
        "bad", "BAD_GUID", [("guid", "empty")], ("EntityDetail", "g"), {"a": "b"})
    assert str(copy) == "bad"


def test_not_found_helper_carries_resource_info() -> None:
    err = e.not_found("EntityDetail", "1234")
    assert err.reason == "ENTITY_DETAIL_NOT_FOUND"
    assert err.resource == ("EntityDetail", "1234")


def test_status_proto_has_error_info_bad_request_and_resource_info() -> None:
    err = e.InvalidArgument(message="bad guid", reason="INVALID_GUID", metadata={"guid": "x"},
                            field_violations=[("guid", "not a GUID")], resource=("EntityDetail", "x"))
    status = rpc_errors.to_status_proto(err)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert status.message == "bad guid"
    info, bad, resource = (error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest(),
                           error_details_pb2.ResourceInfo())
    unpacked = [status.details[0].Unpack(info), status.details[1].Unpack(bad),
                status.details[2].Unpack(resource)]
    assert unpacked == [True, True, True]
    assert (info.reason, info.domain, dict(info.metadata)) == ("INVALID_GUID", "coho", {"guid": "x"})
    assert [(v.field, v.description) for v in bad.field_violations] == [("guid", "not a GUID")]
    assert (resource.resource_type, resource.resource_name) == ("EntityDetail", "x")


def test_status_proto_omits_empty_details() -> None:
    status = rpc_errors.to_status_proto(e.Unavailable(message="draining"))
    assert len(status.details) == 1  # ErrorInfo only


def test_echoed_values_are_clipped_so_the_details_trailer_stays_small() -> None:
    huge = "g" * 100_000
    err = e.NotFound(
        message=f"entity {huge} not found",
        reason="ENTITY_NOT_FOUND",
        metadata={"guid": huge},
        field_violations=[(f"guids[{i}]", huge) for i in range(500)],
        resource=("EntityDetail", huge),
    )
    status = rpc_errors.to_status_proto(err)
    assert len(status.SerializeToString()) < 8 * 1024
    info, bad, resource = (_unpack(status, kind) for kind in (
        error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.ResourceInfo))
    assert info.reason == "ENTITY_NOT_FOUND"
    assert info.metadata["field_violations_total"] == "500"
    assert info.metadata["guid"].endswith("(100000 chars)")
    assert len(bad.field_violations) == 20 and bad.field_violations[0].field == "guids[0]"
    assert resource.resource_name.startswith("ggg") and len(resource.resource_name) < 300


def _unpack(status: Any, kind: Any) -> Any:
    for detail in status.details:
        if detail.Is(kind.DESCRIPTOR):
            message = kind()
            detail.Unpack(message)
            return message
    raise AssertionError(f"no {kind.DESCRIPTOR.name} detail")
