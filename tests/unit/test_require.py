"""require(): concise INVALID_ARGUMENT for missing request fields."""

from __future__ import annotations

import pytest
from google.protobuf import api_pb2, descriptor_pb2, source_context_pb2, type_pb2

from coho.server import errors as e
from coho.server.rpc.errors import invalid, require


def test_present_fields_pass() -> None:
    api = api_pb2.Api(name="x", methods=[api_pb2.Method(name="m")], syntax=type_pb2.SYNTAX_EDITIONS,
                      source_context=source_context_pb2.SourceContext(file_name="f.proto"))
    require(api, "name", "methods", "syntax", "source_context", "source_context.file_name")


def test_missing_fields_are_all_reported() -> None:
    api = api_pb2.Api(source_context=source_context_pb2.SourceContext())
    with pytest.raises(e.InvalidArgument) as caught:
        require(api, "name", "methods", "source_context", "source_context.file_name", "version")
    err = caught.value
    assert err.reason == "MISSING_FIELD"
    assert [f for f, _ in err.field_violations] == ["name", "methods", "source_context.file_name", "version"]
    assert "name, methods" in err.message


def test_unset_message_field_and_zero_enum_are_missing() -> None:
    api = api_pb2.Api(name="x")
    with pytest.raises(e.InvalidArgument) as caught:
        require(api, "source_context.file_name", "syntax")
    assert [f for f, _ in caught.value.field_violations] == ["source_context.file_name", "syntax"]


def test_explicit_presence_counts_even_when_default() -> None:
    # proto2 optional fields have presence: set-to-empty is present.
    proto = descriptor_pb2.FieldDescriptorProto(name="")
    require(proto, "name")
    with pytest.raises(e.InvalidArgument):
        require(proto, "number")


def test_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no field 'nope'"):
        require(api_pb2.Api(), "nope")


def test_invalid_helper() -> None:
    err = invalid("page_size", "must be between 0 and 1000")
    assert err.field_violations == [("page_size", "must be between 0 and 1000")]
    assert err.reason == "INVALID_FIELD"
