//! The served OpenAPI 3 document of every `/api/v1` endpoint. Written by hand next to the
//! handlers; a test checks that every routed API path is described here.

use axum::Json;
use serde_json::{Value, json};

pub(crate) fn error_responses(codes: &[&str]) -> Value {
    let mut map = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "Malformed request",
            "401" => "Not logged in",
            "403" => "Not allowed for this role",
            "404" => "No such thing, or not visible to you",
            "409" => "Conflict",
            "413" => "Body larger than 1 MiB",
            "415" => "Body is not JSON",
            "422" => "Invalid field values",
            "429" => "Too many failed logins",
            _ => "Error",
        };
        map.insert(
            (*code).to_owned(),
            json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    Value::Object(map)
}

pub(crate) fn with(mut ok: Value, errors: Value) -> Value {
    if let (Some(ok), Value::Object(errors)) = (ok.as_object_mut(), errors) {
        ok.extend(errors);
    }
    ok
}

pub(crate) fn json_ok(status: &str, description: &str, schema: Value) -> Value {
    json!({ status: {"description": description, "content": {"application/json": {"schema": schema}}} })
}

fn id_param(description: &str) -> Value {
    json!({"name": "id", "in": "path", "required": true, "description": description,
           "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 64}})
}

fn limit_param() -> Value {
    json!({"name": "limit", "in": "query", "required": false,
           "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}})
}

fn cursor_param() -> Value {
    json!({"name": "cursor", "in": "query", "required": false,
           "description": "next_cursor of the previous page",
           "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 512}})
}

pub(crate) fn json_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn id_object() -> Value {
    json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

/// A value as `schema` says, or blank (`""`): the server takes blank as left out.
fn blank_or(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "string", "maxLength": 0}]})
}

/// A query parameter's choice; blank is the same as leaving it out.
fn choice_or_blank(values: &[&str]) -> Value {
    let mut values: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    values.push(json!(""));
    json!({"type": "string", "enum": values})
}

pub fn spec() -> Value {
    let referral_ref = json!({"$ref": "#/components/schemas/Referral"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Infohus API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Case coordination for a Danish infohus. Every use of personal data is access-checked and logged. An optional request body field may be null, which means the same as leaving it out."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "security": [], "summary": "This document",
                "responses": json_ok("200", "The OpenAPI document", json!({"type": "object"}))
            }},
            "/api/v1/auth/login": {"post": {
                "operationId": "login", "security": [], "summary": "Log in; returns a bearer token",
                "requestBody": json_body("Login"),
                "responses": with(json_ok("200", "Logged in", json!({"$ref": "#/components/schemas/Token"})),
                                  error_responses(&["400", "401", "413", "415", "422", "429"]))
            }},
            "/api/v1/auth/logout": {"post": {
                "operationId": "logout", "summary": "End this token's session",
                "responses": with(json!({"204": {"description": "Logged out"}}), error_responses(&["401"]))
            }},
            "/api/v1/me": {"get": {
                "operationId": "me", "summary": "Who the token belongs to",
                "responses": with(json_ok("200", "The caller", json!({"$ref": "#/components/schemas/Me"})), error_responses(&["401"]))
            }},
            "/api/v1/concern-categories": {"get": {
                "operationId": "listConcernCategories", "summary": "The configured concern taxonomy",
                "responses": with(json_ok("200", "Categories", json!({"type": "object", "properties": {"items": {"type": "array", "items": {
                    "type": "object", "properties": {"code": {"type": "string"}, "label": {"type": "string"}}}}}})), error_responses(&["401"]))
            }},
            "/api/v1/referrals": {
                "post": {
                    "operationId": "createReferral", "summary": "Register a concern referral (coordinators, members)",
                    "requestBody": json_body("NewReferral"),
                    "responses": with(json_ok("201", "Stored referral", referral_ref.clone()),
                                      error_responses(&["400", "401", "403", "413", "415", "422"]))
                },
                "get": {
                    "operationId": "listReferrals", "summary": "Referrals the caller may see, newest first; each listing is logged per person",
                    "parameters": [limit_param(), cursor_param(),
                        {"name": "status", "in": "query", "schema": choice_or_blank(&["received", "screening", "no_concern", "prevention_case", "security_matter", "other_service"])},
                        {"name": "concern_category", "in": "query", "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{0,64}$"}},
                        {"name": "urgency", "in": "query", "schema": choice_or_blank(&["normal", "urgent"])},
                        {"name": "sort", "in": "query", "schema": choice_or_blank(&["newest", "oldest", "urgent"])}],
                    "responses": with(json_ok("200", "A page", json!({"type": "object", "required": ["items", "next_cursor"], "properties": {
                        "items": {"type": "array", "items": referral_ref.clone()}, "next_cursor": nullable_string()}})),
                        error_responses(&["400", "401", "422"]))
                }
            },
            "/api/v1/referrals/{id}": {"get": {
                "operationId": "getReferral", "summary": "One referral",
                "parameters": [id_param("Referral id")],
                "responses": with(json_ok("200", "The referral", referral_ref.clone()), error_responses(&["401", "404"]))
            }},
            "/api/v1/referrals/{id}/suggestion": {"post": {
                "operationId": "resolveSuggestion", "summary": "Link the referral to its suggested person, or dismiss the suggestion (coordinators)",
                "parameters": [id_param("Referral id")],
                "requestBody": json_body("SuggestionDecision"),
                "responses": with(json_ok("200", "Resolved", json!({"type": "object", "properties": {
                    "referral_id": {"type": "string"}, "person_id": {"type": "string"}}})),
                    error_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
            }},
            "/api/v1/persons/{id}": {"get": {
                "operationId": "getPerson", "summary": "A person and the referrals about them the caller may see",
                "parameters": [id_param("Person id")],
                "responses": with(json_ok("200", "The person", json!({"$ref": "#/components/schemas/Person"})), error_responses(&["401", "404"]))
            }},
            "/api/v1/referrals/{id}/case": {"post": {
                "operationId": "openCase", "summary": "Open a case for a referral with its lead and participating agencies (coordinators)",
                "parameters": [id_param("Referral id")],
                "requestBody": json_body("OpenCase"),
                "responses": with(json_ok("201", "The case id", id_object()),
                    error_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
            }},
            "/api/v1/cases/{id}": {"get": {
                "operationId": "getCase", "summary": "A case with the notes the caller may read (own agency's, or disclosed to it)",
                "parameters": [id_param("Case id")],
                "responses": with(json_ok("200", "The case", json!({"$ref": "#/components/schemas/Case"})), error_responses(&["401", "404"]))
            }},
            "/api/v1/cases/{id}/agencies": {"post": {
                "operationId": "addCaseAgency", "summary": "Add a participating agency (coordinators)",
                "parameters": [id_param("Case id")],
                "requestBody": json_body("CaseAgency"),
                "responses": with(json!({"204": {"description": "Added"}}),
                    error_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
            }},
            "/api/v1/cases/{id}/notes": {"post": {
                "operationId": "addNote", "summary": "Write a note owned by the caller's agency (participants)",
                "parameters": [id_param("Case id")],
                "requestBody": json_body("NewNote"),
                "responses": with(json_ok("201", "The note id", id_object()),
                    error_responses(&["400", "401", "403", "404", "413", "415", "422"]))
            }},
            "/api/v1/cases/{id}/break-glass": {"post": {
                "operationId": "breakGlass", "summary": "Open a case outside one's scope for one hour, with a reason; flagged to the auditor",
                "parameters": [id_param("Case id")],
                "requestBody": json_body("BreakGlass"),
                "responses": with(json_ok("201", "The grant", json!({"type": "object", "properties": {
                    "id": {"type": "string"}, "case_id": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}})),
                    error_responses(&["400", "401", "404", "413", "415", "422"]))
            }},
            "/api/v1/notes/{id}/disclosures": {"post": {
                "operationId": "discloseNote", "summary": "Disclose a note to another agency on a legal basis covering its sensitivity (owning agency)",
                "parameters": [id_param("Note id")],
                "requestBody": json_body("NewDisclosure"),
                "responses": with(json_ok("201", "The disclosure id", id_object()),
                    error_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
            }},
            "/api/v1/legal-bases": {
                "get": {
                    "operationId": "listLegalBases", "summary": "The configured legal bases for disclosures",
                    "responses": with(json_ok("200", "Legal bases", json!({"type": "object", "properties": {"items": {"type": "array",
                        "items": {"$ref": "#/components/schemas/LegalBasis"}}}})), error_responses(&["401"]))
                },
                "post": {
                    "operationId": "addLegalBasis", "summary": "Add a legal basis (admins)",
                    "requestBody": json_body("LegalBasis"),
                    "responses": with(json!({"201": {"description": "Added"}}),
                        error_responses(&["400", "401", "403", "409", "413", "415", "422"]))
                }
            },
            "/api/v1/infohuse": {
                "get": {
                    "operationId": "listInfohuse", "summary": "The infohuse of the installation (national administrators)",
                    "responses": with(json_ok("200", "Infohuse", json!({"type": "object"})), error_responses(&["401", "403"]))
                },
                "post": {
                    "operationId": "createInfohus", "summary": "Create an infohus serving a police district, or the national unit (national administrators)",
                    "requestBody": json_body("NewInfohus"),
                    "responses": with(json_ok("201", "The infohus id", id_object()),
                        error_responses(&["400", "401", "403", "409", "413", "415", "422"]))
                }
            },
            "/api/v1/known-elsewhere": {"post": {
                "operationId": "knownElsewhere", "summary": "Is a person (by CPR) known in another infohus? Answered from keyed hashes; logged on both sides (coordinators)",
                "requestBody": json_body("KnownElsewhere"),
                "responses": with(json_ok("200", "Hit or no hit", json!({"type": "object", "properties": {"known": {"type": "boolean"},
                    "infohuse": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}}}})),
                    error_responses(&["400", "401", "403", "413", "415", "422"]))
            }},
            "/api/v1/share-requests": {
                "get": {
                    "operationId": "shareRequestsReceived", "summary": "Requests to share that other infohuse sent here (coordinators)",
                    "responses": with(json_ok("200", "Requests", json!({"type": "object"})), error_responses(&["401", "403"]))
                },
                "post": {
                    "operationId": "requestShare", "summary": "Ask the infohus that knows a person to share, on a legal basis (coordinators)",
                    "requestBody": json_body("ShareRequest"),
                    "responses": with(json_ok("201", "The request id", id_object()),
                        error_responses(&["400", "401", "403", "404", "413", "415", "422"]))
                }
            },
            "/api/v1/persons/{id}/transfer": {"post": {
                "operationId": "transferPerson", "summary": "Move a person with their referrals and cases to another infohus (coordinators)",
                "parameters": [id_param("Person id")],
                "requestBody": json_body("Transfer"),
                "responses": with(json!({"204": {"description": "Transferred"}}),
                    error_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
            }},
            "/api/v1/audit/break-glass": {"get": {
                "operationId": "breakGlassUses", "summary": "Every break-glass grant with its reason (auditors)",
                "responses": with(json_ok("200", "Grants", json!({"type": "object"})), error_responses(&["401", "403"]))
            }},
            "/api/v1/audit/disclosures": {"get": {
                "operationId": "disclosureList", "summary": "Every disclosure: what, from whom, to whom, when, purpose, legal basis (auditors)",
                "responses": with(json_ok("200", "Disclosures", json!({"type": "object"})), error_responses(&["401", "403"]))
            }},
            "/api/v1/audit/subject-access": {"get": {
                "operationId": "subjectAccessReport", "summary": "Dates and purposes of every use of a person's data, without employees' identities (auditors)",
                "parameters": [{"name": "person", "in": "query", "required": true, "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}],
                "responses": with(json_ok("200", "The report", json!({"type": "object"})), error_responses(&["400", "401", "403", "422"]))
            }},
            "/api/v1/audit": {"get": {
                "operationId": "searchAccessLog", "summary": "The access log, oldest first, filtered (auditors); every search is itself logged, a CSV export as an export",
                "parameters": [
                    {"name": "person", "in": "query", "required": false, "description": "A person id; any other value names nobody (an empty list)", "schema": {"type": "string"}},
                    {"name": "user", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 64}},
                    {"name": "action", "in": "query", "required": false, "schema": choice_or_blank(&["read", "create", "search", "change", "export", "delete"])},
                    {"name": "purpose", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 64}},
                    {"name": "from", "in": "query", "required": false, "schema": blank_or(json!({"type": "string", "format": "date-time"}))},
                    {"name": "to", "in": "query", "required": false, "schema": blank_or(json!({"type": "string", "format": "date-time"}))},
                    {"name": "format", "in": "query", "required": false, "schema": choice_or_blank(&["json", "csv"])},
                    limit_param(), cursor_param()],
                "responses": with(json_ok("200", "A page of the access log", json!({"type": "object", "required": ["items", "next_cursor"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/AccessLogEntry"}}, "next_cursor": nullable_string()}})),
                    error_responses(&["400", "401", "403", "422"]))
            }}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
                    "required": ["code", "message", "fields"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "fields": {"type": "array", "items": {"type": "object", "properties": {
                            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}}}},
                "Login": {"type": "object", "additionalProperties": false, "required": ["username", "password"], "properties": {
                    "username": {"type": "string", "maxLength": 64}, "password": {"type": "string", "maxLength": 1024}}},
                "Token": {"type": "object", "required": ["token"], "properties": {
                    "token": {"type": "string"}, "token_type": {"type": "string"}, "expires_in": {"type": "integer"}}},
                "Me": {"type": "object", "properties": {"username": {"type": "string"}, "display_name": {"type": "string"},
                    "role": {"type": "string", "enum": ["admin", "coordinator", "member", "mentor", "analyst", "auditor", "national_admin"]},
                    "agency_id": {"type": "string"}, "infohus_id": {"type": "string"}}},
                "NewReferral": {"type": "object", "additionalProperties": false,
                    "required": ["channel", "subject", "concern_category", "description"], "properties": {
                    "channel": {"type": "string", "enum": ["professional", "citizen", "hotline", "police", "prison_probation", "other"]},
                    "referrer": {"type": "object", "additionalProperties": false, "properties": {
                        "name": {"type": "string", "maxLength": 200}, "organisation": {"type": "string", "maxLength": 200},
                        "phone": {"type": "string", "maxLength": 32},
                        "email": {"type": "string", "maxLength": 254, "pattern": "^\\s*([^@\\s]+@[^@\\s.][^@\\s]*\\.[^@\\s]*[^@\\s.])?\\s*$",
                            "description": "An e-mail address; surrounding white space is ignored, blank means none"}}},
                    "subject": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "cpr": {"type": "string", "pattern": "^\\s*([0-9]{6}-?[0-9]{4})?\\s*$",
                            "description": "First six digits a date (DDMMYY); surrounding white space is ignored, blank means none"},
                        "birth_date": {"type": "string", "pattern": "^\\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\\s*$",
                            "description": "A date (YYYY-MM-DD), not in the future; surrounding white space is ignored, blank means none"},
                        "gender": {"type": "string", "enum": ["male", "female", "other", "unknown", ""]},
                        "municipality": {"type": "string", "pattern": "^\\s*([0-9]{3,4})?\\s*$", "description": "Blank means none"}}},
                    "concern_category": {"type": "string", "enum": ["militant_islamism", "right_wing", "left_wing", "anti_authority", "hybrid", "misogyny", "conspiracy", "single_issue", "other", "unknown"],
                        "description": "The configured taxonomy; these are the defaults"},
                    "description": {"type": "string", "minLength": 1, "maxLength": 20000},
                    "urgency": {"type": "string", "enum": ["normal", "urgent", ""], "default": "normal", "description": "Blank means normal"}}},
                "SuggestionDecision": {"type": "object", "additionalProperties": false, "required": ["decision"], "properties": {
                    "decision": {"type": "string", "enum": ["link", "dismiss"]}}},
                "Referral": {"type": "object", "required": ["id", "person_id", "status"], "properties": {
                    "id": {"type": "string"}, "person_id": {"type": "string"},
                    "status": {"type": "string"}, "channel": {"type": "string"}, "concern_category": {"type": "string"},
                    "urgency": {"type": "string"}, "under_18": {"type": "boolean"}, "description": {"type": "string"},
                    "subject": {"type": "object", "properties": {"name": {"type": "string"}, "birth_date": nullable_string(),
                        "gender": nullable_string(), "municipality": nullable_string()}},
                    "referrer": {"type": "object", "properties": {"name": nullable_string(), "organisation": nullable_string(),
                        "phone": nullable_string(), "email": nullable_string()}},
                    "submitted_by": {"type": "string"}, "submitted_by_agency": {"type": "string"},
                    "received_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
                    "suggested_person_id": nullable_string(), "case_id": nullable_string(),
                    "screening_due": {"type": ["string", "null"], "format": "date", "description": "The configured number of Danish working days (default five) after receipt, while awaiting screening"}}},
                "Person": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                    "cpr": nullable_string(), "birth_date": nullable_string(), "gender": nullable_string(),
                    "municipality": nullable_string(), "created_at": {"type": "string", "format": "date-time"},
                    "referrals": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}}}},
                "NewInfohus": {"type": "object", "additionalProperties": false, "required": ["code", "name"], "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{2,32}$"}, "name": {"type": "string", "maxLength": 200},
                    "police_district": {"type": "string", "enum": ["nordjylland", "oestjylland", "midt_og_vestjylland", "sydoestjylland",
                        "syd_og_soenderjylland", "fyn", "sydsjaelland_og_lolland_falster", "midt_og_vestsjaelland", "nordsjaelland",
                        "koebenhavns_vestegn", "koebenhavn", "bornholm", ""]},
                    "national": {"type": "boolean"}}},
                "KnownElsewhere": {"type": "object", "additionalProperties": false, "required": ["cpr"], "properties": {
                    "cpr": {"type": "string", "pattern": "^\\s*[0-9]{6}-?[0-9]{4}\\s*$"}}},
                "ShareRequest": {"type": "object", "additionalProperties": false, "required": ["cpr", "to_infohus", "legal_basis", "purpose"], "properties": {
                    "cpr": {"type": "string", "pattern": "^\\s*[0-9]{6}-?[0-9]{4}\\s*$"}, "to_infohus": {"type": "string"},
                    "legal_basis": {"type": "string"}, "purpose": {"type": "string", "minLength": 1, "maxLength": 2000}}},
                "Transfer": {"type": "object", "additionalProperties": false, "required": ["to_infohus", "legal_basis", "purpose"], "properties": {
                    "to_infohus": {"type": "string"}, "legal_basis": {"type": "string"}, "purpose": {"type": "string", "minLength": 1, "maxLength": 2000}}},
                "OpenCase": {"type": "object", "additionalProperties": false, "required": ["lead_agency"], "properties": {
                    "lead_agency": {"type": "string"}, "agencies": {"type": "array", "items": {"type": "string"}, "maxItems": 50}}},
                "CaseAgency": {"type": "object", "additionalProperties": false, "required": ["agency"], "properties": {
                    "agency": {"type": "string"}}},
                "NewNote": {"type": "object", "additionalProperties": false, "required": ["body"], "properties": {
                    "body": {"type": "string", "minLength": 1, "maxLength": 20000},
                    "sensitivity": {"type": "array", "items": {"type": "string", "enum": ["health", "religion", "political_opinion", "criminal_offence"]}}}},
                "NewDisclosure": {"type": "object", "additionalProperties": false, "required": ["to_agency", "legal_basis", "purpose"], "properties": {
                    "to_agency": {"type": "string"}, "legal_basis": {"type": "string"}, "purpose": {"type": "string", "minLength": 1, "maxLength": 2000}}},
                "BreakGlass": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {
                    "reason": {"type": "string", "minLength": 10, "maxLength": 2000}}},
                "LegalBasis": {"type": "object", "additionalProperties": false, "required": ["code", "label"], "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{2,32}$"}, "label": {"type": "string", "maxLength": 200},
                    "covers_special_category": {"type": "boolean"}, "covers_criminal_offence": {"type": "boolean"}}},
                "Case": {"type": "object", "properties": {"id": {"type": "string"}, "person_id": {"type": "string"},
                    "referral_id": {"type": "string"}, "status": {"type": "string"}, "break_glass": {"type": "boolean"},
                    "lead_agency": {"type": "object"}, "agencies": {"type": "array", "items": {"type": "object"}},
                    "opened_at": {"type": "string", "format": "date-time"},
                    "notes": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"},
                        "owner_agency": {"type": "object"}, "author": {"type": "string"}, "body": {"type": "string"},
                        "sensitivity": {"type": "array", "items": {"type": "string"}}, "created_at": {"type": "string", "format": "date-time"},
                        "disclosed_to": {"type": "array", "items": {"type": "string"}}}}}}},
                "AccessLogEntry": {"type": "object", "required": ["at", "actor", "action"], "properties": {
                    "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                    "actor_agency_id": {"type": "string"}, "actor_role": {"type": "string"},
                    "action": {"type": "string", "enum": ["read", "create", "search", "change", "export", "delete"]},
                    "object_type": {"type": "string"}, "object_id": {"type": "string"}, "person_id": nullable_string(),
                    "purpose": {"type": "string"}, "criteria": {"type": "string"}}}
            }
        }
    })
}

/// The whole document: the foundation's paths and schemas plus casework's.
pub fn document_value() -> Value {
    let mut doc = spec();
    for more in [casework_paths(), meetings_paths(), crate::search_api::paths()] {
        if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut)
            && let Value::Object(more) = more
        {
            paths.extend(more);
        }
    }
    for more in [casework_schemas(), meetings_schemas(), crate::search_api::schemas()] {
        if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut)
            && let Value::Object(more) = more
        {
            schemas.extend(more);
        }
    }
    nullable_optional_body_fields(&mut doc);
    doc
}

/// Every request body field is read as an `Option`, so an optional field may also be sent as
/// `null`, meaning the same as leaving it out (a required one as `null` is a 422). Says so in
/// each request body schema, at any depth.
fn nullable_optional_body_fields(doc: &mut Value) {
    let mut bodies: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for operation in paths.values().filter_map(Value::as_object).flat_map(|ops| ops.values()) {
            if let Some(name) = operation
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                bodies.push(name.to_owned());
            }
        }
    }
    bodies.sort();
    bodies.dedup();
    for name in bodies {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            nullable_optionals(schema);
        }
    }
}

fn nullable_optionals(schema: &mut Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            nullable_optionals(property);
            if !required.contains(name) {
                make_nullable(property);
            }
        }
    }
    if let Some(items) = schema.get_mut("items") {
        nullable_optionals(items);
    }
}

fn make_nullable(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    if let Some(Value::Array(alternatives)) = object.get_mut("anyOf") {
        if !alternatives.iter().any(|a| a.get("type") == Some(&json!("null"))) {
            alternatives.push(json!({"type": "null"}));
        }
        return;
    }
    if object.contains_key("$ref") {
        let inner = std::mem::take(object);
        *schema = json!({"anyOf": [Value::Object(inner), {"type": "null"}]});
        return;
    }
    match object.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            object.insert("type".to_owned(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = object.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

pub async fn document() -> Json<Value> {
    Json(document_value())
}

fn no_content(description: &str) -> Value {
    json!({"204": {"description": description}})
}

const WRITE_ERRORS: &[&str] = &["400", "401", "403", "404", "409", "413", "415", "422"];

fn casework_paths() -> Value {
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let date = json!({"type": "string", "format": "date"});
    json!({
        "/api/v1/referrals/{id}/screening": {"get": {
            "operationId": "getScreening", "summary": "The screening of a referral: deadline, each agency's register check, the outcome",
            "parameters": [id_param("Referral id")],
            "responses": with(json_ok("200", "The screening", schema("Screening")), error_responses(&["401", "404"]))
        }},
        "/api/v1/referrals/{id}/screening/requests": {"post": {
            "operationId": "requestChecks", "summary": "Ask agencies to check their registers (coordinators); they then see the referral",
            "parameters": [id_param("Referral id")],
            "requestBody": json_body("CheckRequest"),
            "responses": with(no_content("Asked"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/referrals/{id}/screening/checks": {"post": {
            "operationId": "recordCheck", "summary": "Record the caller's agency's register check (asked agencies)",
            "parameters": [id_param("Referral id")],
            "requestBody": json_body("Check"),
            "responses": with(no_content("Recorded"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/referrals/{id}/screening/outcome": {"post": {
            "operationId": "decideScreening", "summary": "Decide the screening (coordinators): no concern, prevention case (opens a case), security matter (hand-over to the police; the referral keeps only the hand-over record) or other service",
            "parameters": [id_param("Referral id")],
            "requestBody": json_body("ScreeningOutcome"),
            "responses": with(json_ok("200", "Decided", json!({"type": "object", "required": ["outcome"], "properties": {
                "outcome": {"type": "string"}, "case_id": nullable_string()}})), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/close": {"post": {
            "operationId": "closeCase", "summary": "Close a case with a reason (coordinators); 409 open_tasks unless confirm_open_tasks",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("CloseCase"),
            "responses": with(no_content("Closed"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/reopen": {"post": {
            "operationId": "reopenCase", "summary": "Reopen a closed case with a reason (coordinators)",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("Reason"),
            "responses": with(no_content("Reopened"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/lead-agency": {"put": {
            "operationId": "setLeadAgency", "summary": "Make a participating agency the lead (coordinators)",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("CaseAgency"),
            "responses": with(no_content("Changed"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/timeline": {"get": {
            "operationId": "caseTimeline", "summary": "Everything that happened on a case that the caller may see, oldest first",
            "parameters": [id_param("Case id")],
            "responses": with(json_ok("200", "The timeline", json!({"type": "object", "properties": {"items": {"type": "array",
                "items": schema("TimelineEntry")}}})), error_responses(&["401", "404"]))
        }},
        "/api/v1/cases/{id}/release": {"put": {
            "operationId": "setRelease", "summary": "Record an inmate's expected release date (Prison and Probation Service members of the case)",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("Release"),
            "responses": with(no_content("Recorded"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/releases": {"get": {
            "operationId": "listReleases", "summary": "Open cases with a release expected within 90 days (coordinators: all; members: their agency's cases)",
            "responses": with(json_ok("200", "Releases", json!({"type": "object", "properties": {"items": {"type": "array", "items": {
                "type": "object", "properties": {"case_id": {"type": "string"}, "person_id": {"type": "string"}, "person_name": {"type": "string"},
                "expected_on": date.clone(), "days_left": {"type": "integer"}, "lead_agency": {"type": "string"}}}}}})), error_responses(&["401"]))
        }},
        "/api/v1/instruments": {"get": {
            "operationId": "listInstruments", "summary": "Loaded instrument versions (loaded with `infohus instrument import FILE`)",
            "responses": with(json_ok("200", "Instruments", json!({"type": "object", "properties": {"items": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "string"}, "key": {"type": "string"}, "version": {"type": "integer"},
                "name": {"type": "string"}}}}}})), error_responses(&["401"]))
        }},
        "/api/v1/instruments/{key}": {"get": {
            "operationId": "getInstrument", "summary": "An instrument's definition: dimensions, items with side, rating scale, guidance (newest version unless ?version=)",
            "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9-]{2,40}$"}},
                {"name": "version", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}}],
            "responses": with(json_ok("200", "The instrument", json!({"type": "object"})), error_responses(&["400", "401", "404", "422"]))
        }},
        "/api/v1/cases/{id}/assessments": {"post": {
            "operationId": "createAssessment", "summary": "Start a draft assessment with an instrument, owned by the caller's agency (participants)",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("NewAssessment"),
            "responses": with(json_ok("201", "The assessment id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/assessments/{id}": {
            "get": {
                "operationId": "getAssessment", "summary": "An assessment with its ratings as given (never a score)",
                "parameters": [id_param("Assessment id")],
                "responses": with(json_ok("200", "The assessment", schema("Assessment")), error_responses(&["401", "404"]))
            },
            "put": {
                "operationId": "updateAssessment", "summary": "Save a draft (owning agency); a signed assessment is never edited (409 assessment_signed)",
                "parameters": [id_param("Assessment id")],
                "requestBody": json_body("AssessmentContent"),
                "responses": with(no_content("Saved"), error_responses(WRITE_ERRORS))
            }
        },
        "/api/v1/assessments/{id}/sign": {"post": {
            "operationId": "signAssessment", "summary": "Sign a complete draft off (owning agency); 422 lists what is missing",
            "parameters": [id_param("Assessment id")],
            "responses": with(no_content("Signed"), error_responses(&["401", "403", "404", "409", "422"]))
        }},
        "/api/v1/assessments/{id}/corrections": {"post": {
            "operationId": "correctAssessment", "summary": "Start a correction of a signed assessment: a new draft pointing to it",
            "parameters": [id_param("Assessment id")],
            "responses": with(json_ok("201", "The correction's id", id_object()), error_responses(&["401", "403", "404", "409"]))
        }},
        "/api/v1/assessments/{id}/disclosures": {"post": {
            "operationId": "discloseAssessment", "summary": "Disclose an assessment (special-category data) to another agency on a legal basis (owning agency)",
            "parameters": [id_param("Assessment id")],
            "requestBody": json_body("NewDisclosure"),
            "responses": with(json_ok("201", "The disclosure id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/persons/{id}/progression": {"get": {
            "operationId": "personProgression", "summary": "How each item's rating moved across the person's signed assessments the caller may read",
            "parameters": [id_param("Person id")],
            "responses": with(json_ok("200", "The progression", schema("Progression")), error_responses(&["401", "404"]))
        }},
        "/api/v1/statistics/mentoring": {"get": {
            "operationId": "mentoringFigure", "summary": "The mentoring programme's share of persons with movement in the right direction six months after baseline (coordinators, analysts); counts only",
            "responses": with(json_ok("200", "The figure", json!({"type": "object", "properties": {
                "persons_in_programme": {"type": "integer"}, "followed_up": {"type": "integer"}, "moved_right_direction": {"type": "integer"},
                "share": {"type": "object", "properties": {"numerator": {"type": "integer"}, "denominator": {"type": "integer"}}}}})),
                error_responses(&["401", "403"]))
        }},
        "/api/v1/intervention-types": {
            "get": {
                "operationId": "listInterventionTypes", "summary": "The configured kinds of intervention",
                "responses": with(json_ok("200", "Kinds", json!({"type": "object", "properties": {"items": {"type": "array", "items": {
                    "type": "object", "properties": {"code": {"type": "string"}, "label": {"type": "string"},
                    "configured_label": {"type": "string"}, "default_review_months": {"type": "integer"}}}}}})), error_responses(&["401"]))
            },
            "post": {
                "operationId": "addInterventionType", "summary": "Add a kind of intervention (admins)",
                "requestBody": json_body("InterventionType"),
                "responses": with(json!({"201": {"description": "Added"}}), error_responses(&["400", "401", "403", "409", "413", "415", "422"]))
            }
        },
        "/api/v1/cases/{id}/interventions": {"post": {
            "operationId": "addIntervention", "summary": "Start an intervention owned by the caller's agency (participants); review defaults to the kind's period",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("NewIntervention"),
            "responses": with(json_ok("201", "The intervention id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/interventions/{id}": {
            "get": {
                "operationId": "getIntervention", "summary": "An intervention with its session log (content for the owner, disclosed agencies and the responsible user)",
                "parameters": [id_param("Intervention id")],
                "responses": with(json_ok("200", "The intervention", schema("Intervention")), error_responses(&["401", "404"]))
            },
            "patch": {
                "operationId": "updateIntervention", "summary": "Change status, review date or outcome (owner agency, responsible user); ending takes an outcome",
                "parameters": [id_param("Intervention id")],
                "requestBody": json_body("InterventionUpdate"),
                "responses": with(no_content("Updated"), error_responses(WRITE_ERRORS))
            }
        },
        "/api/v1/interventions/{id}/sessions": {"post": {
            "operationId": "logSession", "summary": "Log a session held (responsible user, owner agency)",
            "parameters": [id_param("Intervention id")],
            "requestBody": json_body("Session"),
            "responses": with(json_ok("201", "The session id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/interventions/{id}/disclosures": {"post": {
            "operationId": "discloseIntervention", "summary": "Disclose an intervention to another agency on a legal basis (owning agency)",
            "parameters": [id_param("Intervention id")],
            "requestBody": json_body("NewDisclosure"),
            "responses": with(json_ok("201", "The disclosure id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/tasks": {"post": {
            "operationId": "addTask", "summary": "Add a task owned by a participating agency (participants)",
            "parameters": [id_param("Case id")],
            "requestBody": json_body("NewTask"),
            "responses": with(json_ok("201", "The task id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/tasks/{id}/done": {"post": {
            "operationId": "completeTask", "summary": "Mark a task done (owner agency, assignee, coordinators)",
            "parameters": [id_param("Task id")],
            "responses": with(no_content("Done"), error_responses(&["401", "403", "404", "409"]))
        }},
        "/api/v1/my-work": {"get": {
            "operationId": "myWork", "summary": "What is due for the caller (or ?scope=agency: their agency): tasks, intervention reviews, register checks, referrals awaiting screening",
            "parameters": [{"name": "scope", "in": "query", "required": false, "schema": {"type": "string", "enum": ["mine", "agency"], "default": "mine"}}],
            "responses": with(json_ok("200", "The lists", json!({"type": "object"})), error_responses(&["400", "401", "422"]))
        }}
    })
}

fn casework_schemas() -> Value {
    let date = json!({"type": "string", "format": "date"});
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    json!({
        "CheckRequest": {"type": "object", "additionalProperties": false, "required": ["agencies"], "properties": {
            "agencies": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "string"}}}},
        "Check": {"type": "object", "additionalProperties": false, "required": ["result"], "properties": {
            "result": {"type": "string", "enum": ["known", "not_known", "acute"]}, "note": text(5000)}},
        "ScreeningOutcome": {"type": "object", "additionalProperties": false, "required": ["outcome"], "properties": {
            "outcome": {"type": "string", "enum": ["no_concern", "prevention_case", "security_matter", "other_service"]},
            "reply": {"type": "string", "maxLength": 2000, "description": "no_concern: plain-language reply to the referrer, no sensitive content"},
            "lead_agency": {"type": "string", "description": "prevention_case"},
            "agencies": {"type": "array", "maxItems": 50, "items": {"type": "string"}, "description": "prevention_case"},
            "police_agency": {"type": "string", "description": "security_matter: a police agency of the infohus"},
            "reference": {"type": "string", "maxLength": 200, "description": "security_matter: the police's reference"},
            "service": {"type": "string", "enum": ["child_welfare", "social", "psychiatry", "employment", "ssp", "other", ""]},
            "service_note": text(2000)}},
        "Screening": {"type": "object", "properties": {"referral_id": {"type": "string"}, "status": {"type": "string"},
            "screening_due": {"type": ["string", "null"], "format": "date"}, "overdue": {"type": "boolean"},
            "checks": {"type": "array", "items": {"type": "object", "properties": {"agency": {"type": "object"},
                "result": nullable_string(), "note": nullable_string(), "checked_by": nullable_string(),
                "requested_at": {"type": "string", "format": "date-time"}, "checked_at": nullable_string()}}},
            "outcome": {"type": ["object", "null"]}}},
        "CloseCase": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {
            "reason": {"type": "string", "enum": ["goals_met", "concern_resolved", "no_cooperation", "moved_away", "handed_over", "other"]},
            "note": text(2000), "confirm_open_tasks": {"type": "boolean", "default": false}}},
        "Reason": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 2000}}},
        "Release": {"type": "object", "additionalProperties": false, "required": ["expected_on"], "properties": {"expected_on": date.clone()}},
        "TimelineEntry": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}, "kind": {"type": "string"},
            "agency": {"type": "string"}, "user": nullable_string(), "detail": {"type": "string"}, "note": nullable_string(),
            "record_type": nullable_string(), "record_id": nullable_string()}},
        "AssessmentContent": {"type": "object", "additionalProperties": false, "properties": {
            "ratings": {"type": "object", "additionalProperties": {"type": "string"}, "description": "item key → level key of the instrument's scale"},
            "rationales": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20000}, "description": "dimension key → written rationale"},
            "overall": text(20000), "recommendation": {"type": ["string", "null"]},
            "assessors": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 200}},
            "assessed_on": blank_or(date.clone())}},
        "NewAssessment": {"type": "object", "additionalProperties": false, "required": ["instrument", "kind"], "properties": {
            "instrument": {"type": "string", "description": "Instrument key"}, "version": {"type": "integer", "minimum": 1},
            "kind": {"type": "string", "enum": ["baseline", "follow_up", "closing", "other"]},
            "ratings": {"type": "object", "additionalProperties": {"type": "string"}},
            "rationales": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20000}},
            "overall": text(20000), "recommendation": {"type": ["string", "null"]},
            "assessors": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 200}}, "assessed_on": blank_or(date.clone())}},
        "Assessment": {"type": "object", "properties": {"id": {"type": "string"}, "case_id": {"type": "string"},
            "person_id": {"type": "string"}, "instrument": {"type": "object"}, "kind": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "signed"]}, "assessed_on": date.clone(),
            "supersedes": nullable_string(), "superseded_by": nullable_string(), "signed_by": nullable_string(),
            "disclosed_to": {"type": "array", "items": {"type": "string"}, "description": "Agency codes; for the owning agency only"},
            "content": {"$ref": "#/components/schemas/AssessmentContent"}}},
        "Progression": {"type": "object", "properties": {"person_id": {"type": "string"},
            "columns": {"type": "array", "items": {"type": "object", "properties": {"assessment_id": {"type": "string"}, "assessed_on": date.clone()}}},
            "scale": {"type": "array", "items": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"dimension": {"type": "string"}, "item": {"type": "string"},
                "side": {"type": "string", "enum": ["risk", "resource"]}, "points": {"type": "array", "items": {"type": ["integer", "null"]}},
                "movement": {"type": "string", "enum": ["better", "worse", "unchanged", "not_comparable"]}}}}}},
        "InterventionType": {"type": "object", "additionalProperties": false, "required": ["code", "label"], "properties": {
            "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{2,32}$"}, "label": text(200),
            "default_review_months": {"type": "integer", "minimum": 1, "maximum": 36}}},
        "NewIntervention": {"type": "object", "additionalProperties": false, "required": ["kind", "responsible", "goals", "start_on"], "properties": {
            "kind": {"type": "string"}, "responsible": {"type": "string", "description": "Username in the same infohus"},
            "goals": {"type": "string", "minLength": 1, "maxLength": 10000}, "start_on": date.clone(), "review_on": blank_or(date.clone()),
            "sensitivity": {"type": "array", "items": {"type": "string", "enum": ["health", "religion", "political_opinion", "criminal_offence"]}}}},
        "InterventionUpdate": {"type": "object", "additionalProperties": false, "properties": {
            "status": {"type": "string", "enum": ["planned", "active", "ended", "cancelled", ""]}, "review_on": blank_or(date.clone()), "outcome": text(10000)}},
        "Intervention": {"type": "object", "properties": {"id": {"type": "string"}, "case_id": {"type": "string"}, "kind": {"type": "string"},
            "owner_agency": {"type": "object"}, "responsible": {"type": "string"}, "start_on": date.clone(), "review_on": date.clone(),
            "status": {"type": "string"}, "goals": nullable_string(), "outcome": nullable_string(),
            "disclosed_to": {"type": "array", "items": {"type": "string"}, "description": "Agency codes; for the owning agency only"},
            "sessions": {"type": "array", "items": {"type": "object"}}}},
        "Session": {"type": "object", "additionalProperties": false, "required": ["held_on", "minutes", "note"], "properties": {
            "held_on": date.clone(), "minutes": {"type": "integer", "minimum": 1, "maximum": 600}, "note": {"type": "string", "minLength": 1, "maxLength": 10000}}},
        "NewTask": {"type": "object", "additionalProperties": false, "required": ["title", "owner_agency", "due_on"], "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 300}, "owner_agency": {"type": "string"},
            "assignee": {"type": "string", "description": "Username of a user of the owner agency"}, "due_on": date}}
    })
}

fn meetings_paths() -> Value {
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let meeting_id = || id_param("Meeting id");
    let item_id = || id_param("Agenda item id");
    let minutes_id = || id_param("Minutes id");
    json!({
        "/api/v1/meeting-series": {"post": {
            "operationId": "createMeetingSeries", "summary": "Create a meeting series with standing participants and its first meetings (coordinators)",
            "requestBody": json_body("NewMeetingSeries"),
            "responses": with(json_ok("201", "The series id", id_object()), error_responses(&["400", "401", "403", "413", "415", "422"]))
        }},
        "/api/v1/meeting-series/{id}": {"get": {
            "operationId": "getMeetingSeries", "summary": "A series with its standing participants",
            "parameters": [id_param("Series id")],
            "responses": with(json_ok("200", "The series", json!({"type": "object"})), error_responses(&["401", "404"]))
        }},
        "/api/v1/meetings": {"get": {
            "operationId": "listMeetings", "summary": "Meetings from a day on (coordinators and members)",
            "parameters": [{"name": "from", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}}, limit_param()],
            "responses": with(json_ok("200", "Meetings", json!({"type": "object", "properties": {"items": {"type": "array", "items": schema("Meeting")}}})),
                error_responses(&["400", "401", "422"]))
        }},
        "/api/v1/meetings/{id}": {"get": {
            "operationId": "getMeeting", "summary": "A meeting with its agenda as the caller may see it: case items in full for participating agencies, a neutral reference (number, initials, age band, category) for others",
            "parameters": [meeting_id()],
            "responses": with(json_ok("200", "The meeting", schema("MeetingWithAgenda")), error_responses(&["401", "404"]))
        }},
        "/api/v1/meetings/{id}/move": {"post": {
            "operationId": "moveMeeting", "summary": "Move one meeting (coordinators); its cut-off moves with it",
            "parameters": [meeting_id()], "requestBody": json_body("MoveMeeting"),
            "responses": with(no_content("Moved"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/meetings/{id}/cancel": {"post": {
            "operationId": "cancelMeeting", "summary": "Cancel one meeting with a reason (coordinators)",
            "parameters": [meeting_id()], "requestBody": json_body("Reason"),
            "responses": with(no_content("Cancelled"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/meetings/{id}/agenda/build": {"post": {
            "operationId": "buildAgenda", "summary": "Build or rebuild the draft agenda from the state of the cases (coordinators); deterministic, each item with its reasons",
            "parameters": [meeting_id()],
            "responses": with(json_ok("200", "Built", json!({"type": "object", "properties": {"generated_items": {"type": "integer"}}})),
                error_responses(&["401", "403", "404", "409"]))
        }},
        "/api/v1/meetings/{id}/agenda/items": {"post": {
            "operationId": "addFreeAgendaItem", "summary": "Add a free item (no personal data) to a draft agenda (coordinators)",
            "parameters": [meeting_id()], "requestBody": json_body("FreeItem"),
            "responses": with(json_ok("201", "The item id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/meetings/{id}/agenda/publish": {"post": {
            "operationId": "publishAgenda", "summary": "Publish the agenda to the participants (coordinators); it no longer changes",
            "parameters": [meeting_id()],
            "responses": with(no_content("Published"), error_responses(&["401", "403", "404", "409"]))
        }},
        "/api/v1/agenda-items/{id}/move": {"post": {
            "operationId": "moveAgendaItem", "summary": "Move an item up or down on a draft agenda (coordinators)",
            "parameters": [item_id()], "requestBody": json_body("Direction"),
            "responses": with(no_content("Moved"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/agenda-items/{id}/postpone": {"post": {
            "operationId": "postponeAgendaItem", "summary": "Postpone an item to the next meeting of the series, with a reason (coordinators)",
            "parameters": [item_id()], "requestBody": json_body("Reason"),
            "responses": with(no_content("Postponed"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/agenda-items/{id}/remove": {"post": {
            "operationId": "removeAgendaItem", "summary": "Remove an item with a reason (coordinators); it stays listed as removed",
            "parameters": [item_id()], "requestBody": json_body("Reason"),
            "responses": with(no_content("Removed"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/agenda-items/{id}/disclosures": {"post": {
            "operationId": "discloseInMeeting", "summary": "Disclose the case's overview to an agency in the meeting, on a legal basis covering special-category data (coordinators); the agency then sees the item in full",
            "parameters": [item_id()], "requestBody": json_body("NewDisclosure"),
            "responses": with(json_ok("201", "The disclosure id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/cases/{id}/flags": {"post": {
            "operationId": "flagCase", "summary": "Ask for a case to be discussed at the next meeting (participants)",
            "parameters": [id_param("Case id")], "requestBody": json_body("Flag"),
            "responses": with(json_ok("201", "The flag id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/meetings/{id}/minutes": {
            "get": {
                "operationId": "getMinutes", "summary": "The newest minutes (coordinators also drafts); item texts only where the caller sees the item in full",
                "parameters": [meeting_id()],
                "responses": with(json_ok("200", "The minutes or null", json!({"type": "object", "properties": {"minutes": {"type": ["object", "null"]}}})),
                    error_responses(&["401", "404"]))
            },
            "post": {
                "operationId": "startMinutes", "summary": "Start the minutes of a meeting with a published agenda (coordinators)",
                "parameters": [meeting_id()],
                "responses": with(json_ok("201", "The minutes id", id_object()), error_responses(&["401", "403", "404", "409"]))
            }
        },
        "/api/v1/minutes/{id}": {"put": {
            "operationId": "saveMinutes", "summary": "Save draft minutes: attendance and per item summary and decisions (coordinators); approved minutes are locked (409)",
            "parameters": [minutes_id()], "requestBody": json_body("MinutesDraft"),
            "responses": with(no_content("Saved"), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/minutes/{id}/action-items": {"post": {
            "operationId": "addActionItem", "summary": "Record an action item on a case item: agency, responsible user, due date; it returns on every agenda until done",
            "parameters": [minutes_id()], "requestBody": json_body("ActionItem"),
            "responses": with(json_ok("201", "The task id", id_object()), error_responses(WRITE_ERRORS))
        }},
        "/api/v1/minutes/{id}/approve": {"post": {
            "operationId": "approveMinutes", "summary": "Approve and lock the minutes (coordinators)",
            "parameters": [minutes_id()],
            "responses": with(no_content("Approved"), error_responses(&["401", "403", "404", "409", "422"]))
        }},
        "/api/v1/minutes/{id}/corrections": {"post": {
            "operationId": "correctMinutes", "summary": "Start a correction of approved minutes: a new version with the reason",
            "parameters": [minutes_id()], "requestBody": json_body("Reason"),
            "responses": with(json_ok("201", "The new version's id", id_object()), error_responses(WRITE_ERRORS))
        }}
    })
}

fn meetings_schemas() -> Value {
    let local = json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$", "description": "Copenhagen wall-clock time"});
    json!({
        "NewMeetingSeries": {"type": "object", "additionalProperties": false, "required": ["name", "first_start"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200}, "first_start": local.clone(),
            "interval_days": {"type": "integer", "minimum": 1, "maximum": 366, "default": 14},
            "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 600, "default": 90},
            "cutoff_minutes": {"type": "integer", "minimum": 0, "maximum": 20160, "default": 1260},
            "location": {"type": "string", "maxLength": 200}, "video_link": {"type": "string", "maxLength": 500, "pattern": "^https://"},
            "participants": {"type": "array", "maxItems": 50, "items": {"type": "object", "additionalProperties": false, "required": ["agency"],
                "properties": {"agency": {"type": "string"}, "user": {"type": "string"}}}},
            "occurrences": {"type": "integer", "minimum": 1, "maximum": 104, "default": 26}}},
        "Meeting": {"type": "object", "properties": {"id": {"type": "string"}, "series_id": nullable_string(), "name": {"type": "string"},
            "planned_start": local.clone(), "starts_at": local.clone(), "cutoff_at": local.clone(), "duration_minutes": {"type": "integer"},
            "location": nullable_string(), "video_link": nullable_string(),
            "status": {"type": "string", "enum": ["planned", "cancelled", "held"]}, "cancel_reason": nullable_string(),
            "sequence": {"type": "integer"}, "agenda_status": {"type": "string", "enum": ["none", "draft", "published"]}}},
        "MeetingWithAgenda": {"type": "object", "properties": {"agenda": {"type": "array", "items": {"$ref": "#/components/schemas/AgendaItem"}}}},
        "AgendaItem": {"type": "object", "properties": {"id": {"type": "string"}, "position": {"type": "integer"},
            "kind": {"type": "string", "enum": ["case", "referral", "free"]},
            "status": {"type": "string", "enum": ["on_agenda", "postponed", "removed"]}, "status_note": nullable_string(),
            "title": nullable_string(), "discussed": {"type": "boolean"},
            "reasons": {"type": "array", "items": {"type": "object", "properties": {
                "reason": {"type": "string", "enum": ["screening_overdue", "flagged", "action_item_overdue", "postponed", "review_due",
                    "release_soon", "action_item_open", "new_referral"]},
                "date": {"type": ["string", "null"], "format": "date"}, "reference": nullable_string()}}},
            "full": {"type": ["object", "null"]},
            "neutral": {"type": ["object", "null"], "properties": {"number": {"type": "string"}, "initials": {"type": "string"},
                "age_band": {"type": "string", "enum": ["under_15", "15_17", "18_24", "25_34", "35_plus", "unknown"]}, "category": {"type": "string"}}}}},
        "MoveMeeting": {"type": "object", "additionalProperties": false, "required": ["starts_at"], "properties": {"starts_at": local}},
        "FreeItem": {"type": "object", "additionalProperties": false, "required": ["title"], "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 300}}},
        "Direction": {"type": "object", "additionalProperties": false, "required": ["direction"], "properties": {
            "direction": {"type": "string", "enum": ["up", "down"]}}},
        "Flag": {"type": "object", "additionalProperties": false, "properties": {"note": {"type": "string", "maxLength": 2000}}},
        "MinutesDraft": {"type": "object", "additionalProperties": false, "properties": {
            "attendance": {"type": "array", "maxItems": 200, "items": {"type": "string"}, "description": "Usernames"},
            "items": {"type": "array", "maxItems": 500, "items": {"type": "object", "additionalProperties": false, "required": ["agenda_item"],
                "properties": {"agenda_item": {"type": "string"}, "summary": {"type": "string", "maxLength": 20000},
                    "decisions": {"type": "string", "maxLength": 20000}}}}}},
        "ActionItem": {"type": "object", "additionalProperties": false, "required": ["agenda_item", "title", "owner_agency", "due_on"], "properties": {
            "agenda_item": {"type": "string"}, "title": {"type": "string", "minLength": 1, "maxLength": 300},
            "owner_agency": {"type": "string"}, "assignee": {"type": "string"}, "due_on": {"type": "string", "format": "date"}}}
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn optional_request_fields_may_be_null_and_required_ones_may_not() {
        let doc = document_value();
        let referral = &doc["components"]["schemas"]["NewReferral"]["properties"];
        assert_eq!(referral["channel"]["type"], json!("string"), "required");
        assert_eq!(referral["subject"]["type"], json!("object"), "required");
        assert_eq!(referral["referrer"]["type"], json!(["object", "null"]));
        assert_eq!(referral["subject"]["properties"]["name"]["type"], json!("string"), "required in subject");
        assert_eq!(referral["subject"]["properties"]["cpr"]["type"], json!(["string", "null"]));
        assert!(referral["urgency"]["enum"].as_array().unwrap().contains(&Value::Null));
        let update = &doc["components"]["schemas"]["InterventionUpdate"]["properties"];
        assert!(update["review_on"]["anyOf"].as_array().unwrap().contains(&json!({"type": "null"})));
        // Response schemas are left as they are.
        assert_eq!(doc["components"]["schemas"]["Referral"]["properties"]["channel"]["type"], json!("string"));
    }
}
