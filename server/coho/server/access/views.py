"""Instance headers as access-service callers see them (``coho.access.v1.ElementHeader``)."""

from __future__ import annotations

from coho.access.v1 import elements_pb2
from coho.omrs.v1 import instances_pb2


def element_header(entity: instances_pb2.EntityDetail) -> elements_pb2.ElementHeader:
    header = entity.header
    view = elements_pb2.ElementHeader(
        guid=header.guid,
        type_name=header.type.type_def_name,
        super_type_names=[link.name for link in header.type.type_def_super_types],
        version=header.version,
        status=header.status,
        metadata_collection_id=header.metadata_collection_id,
        metadata_collection_name=header.metadata_collection_name,
        created_by=header.created_by,
        updated_by=header.updated_by,
        external_source=header.external_source,
        classification_names=[classification.name for classification in entity.classifications],
    )
    if header.HasField("create_time"):
        view.create_time.CopyFrom(header.create_time)
    if header.HasField("update_time"):
        view.update_time.CopyFrom(header.update_time)
    return view
