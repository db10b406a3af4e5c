"""Enum numbers a client may send but no reader can name: proto3 enums are open, so any int32 decodes."""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from coho.server.errors import InvalidArgument


def check_enums(message: Message, path: str) -> None:
    """Refuse enum numbers outside their enum (proto3 enums are open, so any int32 decodes).

    Reference copies and type definitions are stored as given, so an unknown number would be kept and break
    every later reader that maps it to a name (archive export, Egeria JSON) for good. Only the wire-level
    enums are checked, nothing about what the values mean.
    """
    for fd, value in message.ListFields():
        name = f"{path}.{fd.name}"
        if fd.enum_type is not None:
            for number in value if _repeated(fd) else (value,):
                if number not in fd.enum_type.values_by_number:
                    raise InvalidArgument(message=f"{name}: unknown {fd.enum_type.name} value {number}",
                                          reason="UNKNOWN_ENUM_VALUE",
                                          field_violations=[(name, f"unknown {fd.enum_type.name} value {number}")])
        elif fd.message_type is not None:
            if fd.message_type.GetOptions().map_entry:
                if fd.message_type.fields_by_name["value"].message_type is not None:
                    for key, item in value.items():
                        check_enums(item, f"{name}[{key}]")
            elif _repeated(fd):
                for index, item in enumerate(value):
                    check_enums(item, f"{name}[{index}]")
            else:
                check_enums(value, name)


def _repeated(fd: FieldDescriptor) -> bool:
    return bool(fd.is_repeated)
