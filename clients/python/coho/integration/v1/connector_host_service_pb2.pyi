import datetime

from coho.integration.v1 import connectors_pb2 as _connectors_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConnectorHello(_message.Message):
    __slots__ = ("connector_name", "sdk_language", "sdk_version")
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    SDK_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SDK_VERSION_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    sdk_language: str
    sdk_version: str
    def __init__(self, connector_name: _Optional[str] = ..., sdk_language: _Optional[str] = ..., sdk_version: _Optional[str] = ...) -> None: ...

class InstructionResult(_message.Message):
    __slots__ = ("instruction_id", "ok", "error_message")
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    ok: bool
    error_message: str
    def __init__(self, instruction_id: _Optional[str] = ..., ok: _Optional[bool] = ..., error_message: _Optional[str] = ...) -> None: ...

class ConnectorStatusReport(_message.Message):
    __slots__ = ("status", "message")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status: _connectors_pb2.ConnectorStatus
    message: str
    def __init__(self, status: _Optional[_Union[_connectors_pb2.ConnectorStatus, str]] = ..., message: _Optional[str] = ...) -> None: ...

class AttachRequest(_message.Message):
    __slots__ = ("hello", "result", "status")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    hello: ConnectorHello
    result: InstructionResult
    status: ConnectorStatusReport
    def __init__(self, hello: _Optional[_Union[ConnectorHello, _Mapping]] = ..., result: _Optional[_Union[InstructionResult, _Mapping]] = ..., status: _Optional[_Union[ConnectorStatusReport, _Mapping]] = ...) -> None: ...

class Initialize(_message.Message):
    __slots__ = ("connector_id", "config")
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    connector_id: str
    config: _connectors_pb2.ConnectorConfig
    def __init__(self, connector_id: _Optional[str] = ..., config: _Optional[_Union[_connectors_pb2.ConnectorConfig, _Mapping]] = ...) -> None: ...

class Start(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Refresh(_message.Message):
    __slots__ = ("refresh_id", "deadline")
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    refresh_id: str
    deadline: _timestamp_pb2.Timestamp
    def __init__(self, refresh_id: _Optional[str] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Disconnect(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class AttachResponse(_message.Message):
    __slots__ = ("instruction_id", "initialize", "start", "refresh", "disconnect")
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    INITIALIZE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    DISCONNECT_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    initialize: Initialize
    start: Start
    refresh: Refresh
    disconnect: Disconnect
    def __init__(self, instruction_id: _Optional[str] = ..., initialize: _Optional[_Union[Initialize, _Mapping]] = ..., start: _Optional[_Union[Start, _Mapping]] = ..., refresh: _Optional[_Union[Refresh, _Mapping]] = ..., disconnect: _Optional[_Union[Disconnect, _Mapping]] = ...) -> None: ...
