//! The served OpenAPI 3 document of every `/api/v1` endpoint. Written by hand next to the
//! handlers; a test checks that every routed API path is described here.

use axum::Json;
use serde_json::{Value, json};

fn error_responses(codes: &[&str]) -> Value {
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

fn with(mut ok: Value, errors: Value) -> Value {
    if let (Some(ok), Value::Object(errors)) = (ok.as_object_mut(), errors) {
        ok.extend(errors);
    }
    ok
}

fn json_ok(status: &str, description: &str, schema: Value) -> Value {
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

fn json_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn id_object() -> Value {
    json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

pub fn spec() -> Value {
    let referral_ref = json!({"$ref": "#/components/schemas/Referral"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Infohus API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Case coordination for a Danish infohus. Every use of personal data is access-checked and logged."
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
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["received", "screening", "no_concern", "prevention_case", "security_matter", "other_service"]}},
                        {"name": "concern_category", "in": "query", "schema": {"type": "string"}},
                        {"name": "urgency", "in": "query", "schema": {"type": "string", "enum": ["normal", "urgent"]}},
                        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["newest", "oldest", "urgent"], "default": "newest"}}],
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
                "parameters": [{"name": "person", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 64}}],
                "responses": with(json_ok("200", "The report", json!({"type": "object"})), error_responses(&["400", "401", "403", "422"]))
            }},
            "/api/v1/audit": {"get": {
                "operationId": "searchAccessLog", "summary": "The access log, oldest first, filtered (auditors); every search is itself logged, a CSV export as an export",
                "parameters": [
                    {"name": "person", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 64}},
                    {"name": "user", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 64}},
                    {"name": "action", "in": "query", "required": false, "schema": {"type": "string", "enum": ["read", "create", "search", "change", "export", "delete"]}},
                    {"name": "purpose", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 64}},
                    {"name": "from", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}},
                    {"name": "to", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}},
                    {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "csv"]}},
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
                        "phone": {"type": "string", "maxLength": 32}, "email": {"type": "string", "format": "email", "maxLength": 254}}},
                    "subject": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "cpr": {"type": "string", "pattern": "^[0-9]{6}-?[0-9]{4}$", "description": "First six digits a date (DDMMYY)"},
                        "birth_date": {"type": "string", "format": "date"},
                        "gender": {"type": "string", "enum": ["male", "female", "other", "unknown"]},
                        "municipality": {"type": "string", "pattern": "^[0-9]{3,4}$"}}},
                    "concern_category": {"type": "string", "enum": ["militant_islamism", "right_wing", "left_wing", "anti_authority", "hybrid", "misogyny", "conspiracy", "single_issue", "other", "unknown"],
                        "description": "The configured taxonomy; these are the defaults"},
                    "description": {"type": "string", "minLength": 1, "maxLength": 20000},
                    "urgency": {"type": "string", "enum": ["normal", "urgent"], "default": "normal"}}},
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
                    "screening_due": {"type": ["string", "null"], "format": "date", "description": "Five Danish working days after receipt, while awaiting screening"}}},
                "Person": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                    "cpr": nullable_string(), "birth_date": nullable_string(), "gender": nullable_string(),
                    "municipality": nullable_string(), "created_at": {"type": "string", "format": "date-time"},
                    "referrals": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}}}},
                "NewInfohus": {"type": "object", "additionalProperties": false, "required": ["code", "name"], "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{2,32}$"}, "name": {"type": "string", "maxLength": 200},
                    "police_district": {"type": "string", "enum": ["nordjylland", "oestjylland", "midt_og_vestjylland", "sydoestjylland",
                        "syd_og_soenderjylland", "fyn", "sydsjaelland_og_lolland_falster", "midt_og_vestsjaelland", "nordsjaelland",
                        "koebenhavns_vestegn", "koebenhavn", "bornholm"]},
                    "national": {"type": "boolean"}}},
                "KnownElsewhere": {"type": "object", "additionalProperties": false, "required": ["cpr"], "properties": {
                    "cpr": {"type": "string", "pattern": "^[0-9]{6}-?[0-9]{4}$"}}},
                "ShareRequest": {"type": "object", "additionalProperties": false, "required": ["cpr", "to_infohus", "legal_basis", "purpose"], "properties": {
                    "cpr": {"type": "string", "pattern": "^[0-9]{6}-?[0-9]{4}$"}, "to_infohus": {"type": "string"},
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

pub async fn document() -> Json<Value> {
    Json(spec())
}
