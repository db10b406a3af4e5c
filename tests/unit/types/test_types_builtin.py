"""The built-in types: they load, resolve, and contain what coho's services rely on."""

from __future__ import annotations

from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.types import CLASSIFICATION, ENTITY, RELATIONSHIP, TypeRegistry, builtin_type_defs, stable_guid

PRIMITIVES = ["object", "boolean", "byte", "char", "short", "int", "long", "float", "double", "biginteger",
              "bigdecimal", "string", "date"]


def test_builtin_registry_is_self_consistent(builtin: TypeRegistry) -> None:
    assert builtin.problems() == []
    for td in builtin.type_defs():
        builtin.instance_type(td.name)  # every chain resolves
        for attr in td.properties_definition:
            assert builtin.get_attribute_type_def(attr.attribute_type.name) is not None
        if td.category == RELATIONSHIP:
            for end in (td.relationship_def.end_def_1, td.relationship_def.end_def_2):
                assert builtin.require(end.entity_type.name, ENTITY).guid == end.entity_type.guid
        if td.category == CLASSIFICATION:
            for link in td.classification_def.valid_entity_defs:
                assert builtin.require(link.name, ENTITY).guid == link.guid
        if td.super_type.name:
            assert builtin.require(td.super_type.name, td.category).guid == td.super_type.guid


def test_attribute_types() -> None:
    atds, _ = builtin_type_defs()
    by_name = {a.name: a for a in atds}
    for name in PRIMITIVES:
        assert by_name[name].category == td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE
    assert by_name["object"].primitive.primitive_def_category == td_pb.PRIMITIVE_DEF_CATEGORY_OBJECT
    for name in ("array<string>", "map<string,string>", "map<string,boolean>", "map<string,int>",
                 "map<string,long>", "map<string,object>"):
        assert by_name[name].category == td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION
    assert list(by_name["map<string,int>"].collection.argument_types) == [
        td_pb.PRIMITIVE_DEF_CATEGORY_STRING, td_pb.PRIMITIVE_DEF_CATEGORY_INT]
    for name in ("ToDoStatus", "IncidentReportStatus", "PermittedSynchronization", "ActivityStatus", "KeyPattern"):
        assert by_name[name].enum_def.element_defs
    assert by_name["ToDoStatus"].guid == stable_guid("attribute", "ToDoStatus")
    assert len(by_name) == len(atds)


def test_required_types_and_properties(builtin: TypeRegistry) -> None:
    expected = {
        "Referenceable": {"qualifiedName", "additionalProperties"},
        "Asset": {"name", "displayName", "description", "versionIdentifier", "deployedImplementationType"},
        "Database": {"databaseType", "databaseVersion", "databaseInstance", "importedFrom"},
        "DataFile": {"fileName", "fileType", "fileExtension", "pathName", "size", "modifiedTime"},
        "FileFolder": {"pathName"},
        "RelationalColumn": {"dataType", "isPrimaryKey", "isNullable", "position", "maxLength"},
        "RelationalTable": {"isView", "position"},
        "IntegrationConnector": {"usesBlockingCalls", "entryPoint", "integrationService",
                                 "configurationProperties", "catalogTargets"},
        "IntegrationReport": {"serverName", "connectorId", "connectorName", "refreshStartDate",
                              "refreshCompletionDate", "createdElements", "updatedElements", "deletedElements",
                              "additionalProperties", "refreshId"},
        "ToDo": {"name", "description", "creationTime", "priority", "dueTime", "completionTime", "status",
                 "toDoType", "assignedTo", "actionTargets", "originator"},
        "IncidentReport": {"qualifiedName", "background", "incidentClass", "severity", "incidentStatus",
                           "originator", "details"},
        "GovernanceActionRequest": {"requestType", "requestParameters", "actionTargets", "status", "requestedBy",
                                    "startTime", "completionTime", "governanceEngineName"},
        "ExternalId": {"identifier", "keyPattern", "externalSourceName", "usage", "lastSynchronized"},
        "RegisteredIntegrationConnector": {"connectorName", "connectorUserId", "metadataSourceQualifiedName",
                                           "startDate", "stopDate", "refreshTimeInterval",
                                           "generateIntegrationReport", "permittedSynchronization"},
        "Anchors": {"anchorGUID", "anchorTypeName"},
        "Confidentiality": {"confidentialityLevel", "level"},
    }
    for type_name, names in expected.items():
        missing = names - builtin.all_properties(type_name).keys()
        assert not missing, (type_name, missing)
    for schema_type in ("SchemaElement", "SchemaType", "ComplexSchemaType", "RootSchemaType",
                        "RelationalDBSchemaType", "SchemaAttribute", "TabularColumn", "IntegrationGroup",
                        "DeployedDatabaseSchema", "Topic", "DataSet", "DataStore", "Infrastructure", "Memento",
                        "Template", "FolderHierarchy", "NestedFile", "DataSetContent", "AssetSchemaType",
                        "AttributeForSchema", "NestedSchemaAttribute", "ExternalIdLink", "ExternalIdScope",
                        "ActionTarget", "ImpactedResource", "CatalogTarget"):
        builtin.require(schema_type)
    assert builtin.all_properties("Referenceable")["qualifiedName"].is_unique
    assert builtin.is_a("RelationalDBSchemaType", "ComplexSchemaType")


def test_data_manager_links_fit(builtin: TypeRegistry) -> None:
    links = [("FolderHierarchy", "FileFolder", "FileFolder"), ("NestedFile", "FileFolder", "CSVFile"),
             ("DataSetContent", "DeployedDatabaseSchema", "Database"),
             ("AssetSchemaType", "DeployedDatabaseSchema", "RelationalDBSchemaType"),
             ("AttributeForSchema", "RelationalDBSchemaType", "RelationalTable"),
             ("NestedSchemaAttribute", "RelationalTable", "RelationalColumn"),
             ("RegisteredIntegrationConnector", "IntegrationGroup", "IntegrationConnector"),
             ("ExternalIdLink", "DataFile", "ExternalId"), ("ExternalIdScope", "Database", "ExternalId"),
             ("ActionTarget", "GovernanceActionRequest", "DataFile"),
             ("ImpactedResource", "Database", "IncidentReport"),
             ("CatalogTarget", "IntegrationConnector", "FileFolder")]
    for rel, one, two in links:
        builtin.validate_relationship_ends(rel, one, two)


def test_coho_additions_are_marked_and_guids_stable() -> None:
    _, tds = builtin_type_defs()
    by_name = {td.name: td for td in tds}
    size = next(a for a in by_name["DataFile"].properties_definition if a.attribute_name == "size")
    assert size.attribute_description == "coho addition"
    assert by_name["Referenceable"].guid == "a32316b8-dc8c-48c5-b12b-71c1b2a080bf"  # Egeria's
    assert by_name["IntegrationReport"].guid == stable_guid("type", "IntegrationReport")
    assert builtin_type_defs()[1][0] is not tds[0]  # fresh messages each call


def test_with_builtin_types_returns_independent_registries() -> None:
    one, two = TypeRegistry.with_builtin_types(), TypeRegistry.with_builtin_types()
    patch = td_pb.TypeDefPatch(type_def_name="Topic", apply_to_version=1, update_to_version=2)
    one.apply_patch(patch)
    assert (one.require("Topic").version, two.require("Topic").version) == (2, 1)
