//! JSON request bodies exactly as the API reads them (the 1 MiB cap aside): the content type
//! check, the parse that refuses unknown fields at any depth, and then each endpoint's own
//! validation. The first byte picks the endpoint and the content type; the rest is the body.
//!
//! - `POST /api/v1/referrals`: a valid referral satisfies every field rule, and the same
//!   values sent again as JSON, or through the web form, give the same referral.
//! - `POST /api/v1/referrals/{id}/screening/outcome`: the decision.
//! - `PUT /api/v1/assessments/{id}`: the content, checked as a draft and for sign-off
//!   against each shipped instrument; a checked draft checks again unchanged.
//!
//! Refusals are 400, 415 or 422, and a 422 names its fields with the contract's codes.

#![no_main]

use infohus_domain::assessment::{self, AssessmentContent};
use infohus_domain::field::FieldError;
use infohus_domain::instrument::SHIPPED;
use infohus_domain::referral::{DEFAULT_CONCERN_CATEGORIES, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, age_on};
use infohus_domain::{Instrument, NewReferral, SourceFormat};
use infohus_store::Decision;
use infohus_web::fuzzing::{self, Refusal};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::sync::OnceLock;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 22);

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let content_type: Option<&[u8]> = match (selector >> 2) % 4 {
        0 => Some(b"application/json"),
        1 => None,
        2 => Some(b"Application/Problem+JSON; charset=utf-8"),
        _ => Some(b"text/plain"),
    };
    let json = content_type != Some(b"text/plain");
    match selector % 4 {
        0 | 1 => referral(content_type, json, body),
        2 => screening(content_type, json, body),
        _ => assessment(content_type, json, body, usize::from(selector >> 4)),
    }
});

fn categories() -> &'static [String] {
    static CATEGORIES: OnceLock<Vec<String>> = OnceLock::new();
    CATEGORIES.get_or_init(|| DEFAULT_CONCERN_CATEGORIES.iter().map(|c| (*c).to_owned()).collect())
}

/// Checks what every refusal has in common; `fields` are the names validation may report.
fn check_refusal(refusal: &Refusal, json: bool, fields: &[&str], codes: &[&str]) {
    match refusal.status {
        400 => assert_eq!(refusal.code, "malformed"),
        415 => assert!(!json, "a JSON content type was refused"),
        422 => {
            assert_eq!(refusal.code, "invalid");
            assert!(!refusal.fields.is_empty(), "a 422 names its fields");
            for FieldError { field, code } in &refusal.fields {
                if matches!(*code, "unknown_field" | "invalid_type") {
                    // The parser's path to the offending value: keys of the body only.
                    assert!(!field.is_empty());
                } else {
                    assert!(fields.contains(&field.as_str()), "unexpected field {field:?} ({code})");
                    assert!(codes.contains(code), "unexpected code {code} for {field}");
                }
            }
        }
        other => panic!("unexpected status {other}"),
    }
    assert!(refusal.status == 415 || json, "a non-JSON content type must be refused first");
}

const REFERRAL_FIELDS: &[&str] = &[
    "channel",
    "urgency",
    "concern_category",
    "description",
    "subject",
    "referrer.name",
    "referrer.organisation",
    "referrer.phone",
    "referrer.email",
    "subject.name",
    "subject.cpr",
    "subject.birth_date",
    "subject.gender",
    "subject.municipality",
];

const REFERRAL_CODES: &[&str] = &[
    "required",
    "invalid_choice",
    "invalid_cpr",
    "invalid_cpr_date",
    "invalid_date",
    "date_in_future",
    "invalid_phone",
    "invalid_email",
    "invalid_municipality",
    "too_long",
    "invalid_characters",
];

fn referral(content_type: Option<&[u8]>, json: bool, body: &[u8]) {
    match fuzzing::referral_json(content_type, body, categories(), TODAY) {
        Ok(referral) => {
            assert!(json);
            check_referral(&referral);
            // The values that were kept, sent again, are kept as they are: by the API ...
            let again = referral_as_json(&referral);
            let via_json =
                fuzzing::referral_json(Some(b"application/json"), again.to_string().as_bytes(), categories(), TODAY);
            assert_eq!(via_json.as_ref(), Ok(&referral), "JSON round trip of {again}");
            // ... and by the web form, which shares the validation.
            let form = referral_as_form(&again);
            assert_eq!(
                fuzzing::referral_form(form.as_bytes(), categories(), TODAY).as_ref(),
                Ok(&referral),
                "form {form}"
            );
        }
        Err(refusal) => check_refusal(&refusal, json, REFERRAL_FIELDS, REFERRAL_CODES),
    }
}

fn clean_line(value: &str, max: usize) {
    assert!(!value.is_empty() && value == value.trim());
    assert!(value.chars().count() <= max);
    assert!(!value.chars().any(char::is_control));
}

fn check_referral(r: &NewReferral) {
    let description = r.description.expose();
    assert!(!description.is_empty() && description == description.trim());
    assert!(description.chars().count() <= MAX_DESCRIPTION_CHARS);
    assert!(!description.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
    assert!(!description.contains("\r\n"));
    clean_line(r.subject.name.expose(), MAX_NAME_CHARS);
    for value in
        [&r.referrer.name, &r.referrer.organisation, &r.referrer.phone, &r.referrer.email].into_iter().flatten()
    {
        clean_line(value.expose(), 254);
    }
    if let Some(email) = &r.referrer.email {
        assert!(email.expose().contains('@'));
    }
    if let Some(phone) = &r.referrer.phone {
        assert!(phone.expose().bytes().filter(u8::is_ascii_digit).count() >= 8);
    }
    if let Some(municipality) = &r.subject.municipality {
        assert!(municipality.len() == 4 && municipality.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Some(born) = r.subject.birth_date {
        assert!(born <= TODAY);
    }
    if let Some(cpr) = &r.subject.cpr {
        assert_eq!(cpr.compact().len(), 10);
    }
    assert_eq!(r.under_18, r.subject.birth_date.is_some_and(|born| age_on(born, TODAY) < 18));
    assert!(categories().iter().any(|c| c == r.concern_category.as_str()));
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn referral_as_json(r: &NewReferral) -> Value {
    let text = |v: &Option<infohus_domain::Personal<String>>| v.as_ref().map(|p| p.expose().clone());
    json!({
        "channel": r.channel.as_str(),
        "referrer": {
            "name": text(&r.referrer.name),
            "organisation": text(&r.referrer.organisation),
            "phone": text(&r.referrer.phone),
            "email": text(&r.referrer.email),
        },
        "subject": {
            "name": r.subject.name.expose(),
            "cpr": r.subject.cpr.as_ref().map(|c| c.compact()),
            "birth_date": r.subject.birth_date.map(iso),
            "gender": r.subject.gender.map(|g| g.as_str()),
            "municipality": r.subject.municipality,
        },
        "concern_category": r.concern_category.as_str(),
        "description": r.description.expose(),
        "urgency": r.urgency.as_str(),
    })
}

/// The same values as the referral form posts them (absent values are left out).
fn referral_as_form(body: &Value) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let Some(object) = body.as_object() else { return String::new() };
    for (name, value) in object {
        match value {
            Value::String(text) => pairs.push((name.clone(), text.clone())),
            Value::Object(inner) => {
                for (field, value) in inner {
                    if let Value::String(text) = value {
                        pairs.push((format!("{name}.{field}"), text.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    serde_urlencoded::to_string(pairs).unwrap()
}

fn screening(content_type: Option<&[u8]>, json: bool, body: &[u8]) {
    match fuzzing::screening_decision_json(content_type, body) {
        Ok(decision) => {
            assert!(json);
            match decision {
                Decision::PreventionCase { agencies, .. } => assert!(agencies.len() <= 50),
                Decision::NoConcern { .. } | Decision::SecurityMatter { .. } | Decision::OtherService { .. } => {}
            }
        }
        Err(refusal) => check_refusal(
            &refusal,
            json,
            &["outcome", "lead_agency", "agencies", "police_agency", "service"],
            &["required", "invalid_choice", "unknown_agency", "too_many"],
        ),
    }
}

fn instruments() -> &'static [Instrument] {
    static INSTRUMENTS: OnceLock<Vec<Instrument>> = OnceLock::new();
    INSTRUMENTS.get_or_init(|| {
        SHIPPED.iter().map(|(_, source)| Instrument::parse(source, SourceFormat::Toml).unwrap()).collect()
    })
}

fn assessment(content_type: Option<&[u8]>, json: bool, body: &[u8], which: usize) {
    let instrument = &instruments()[which % instruments().len()];
    match fuzzing::assessment_json(content_type, body, instrument, TODAY) {
        Ok((draft, signed)) => {
            assert!(json);
            check_draft(instrument, &draft);
            assert_eq!(assessment::validate_draft(instrument, draft.clone(), TODAY).as_ref(), Ok(&draft));
            match signed {
                Ok(signed) => {
                    assert_eq!(signed, draft);
                    assert_eq!(signed.ratings.len(), instrument.items().count());
                    assert_eq!(signed.rationales.len(), instrument.dimensions.len());
                    assert!(!signed.overall.is_empty() && signed.recommendation.is_some());
                    assert!(!signed.assessors.is_empty());
                }
                Err(refusal) => {
                    assert_eq!(refusal.status, 422);
                    assert!(refusal.fields.iter().all(|f| f.code == "required"));
                }
            }
        }
        Err(refusal) => {
            let fields: Vec<String> = refusal.fields.iter().map(|f| f.field.clone()).collect();
            let allowed: Vec<&str> = fields
                .iter()
                .map(String::as_str)
                .filter(|f| {
                    ["assessed_on", "overall", "recommendation", "assessors", "ratings", "rationales"].contains(f)
                        || f.starts_with("ratings.")
                        || f.starts_with("rationales.")
                })
                .collect();
            check_refusal(
                &refusal,
                json,
                &allowed,
                &[
                    "invalid_date",
                    "date_in_future",
                    "unknown_item",
                    "not_on_scale",
                    "unknown_dimension",
                    "invalid_choice",
                    "too_long",
                    "too_many",
                    "invalid_characters",
                ],
            );
        }
    }
}

fn check_draft(instrument: &Instrument, content: &AssessmentContent) {
    for (item, level) in &content.ratings {
        assert!(instrument.item(item).is_some() && instrument.level_index(level).is_some());
    }
    for (dimension, text) in &content.rationales {
        assert!(instrument.dimension(dimension).is_some());
        assert!(!text.is_empty() && text == text.trim() && !text.contains("\r\n"));
        assert!(text.chars().count() <= assessment::TEXT_MAX);
    }
    assert_eq!(content.overall, content.overall.trim());
    assert!(!content.overall.contains("\r\n"));
    if let Some(recommendation) = &content.recommendation {
        assert!(instrument.recommendation(recommendation).is_some());
    }
    assert!(content.assessors.len() <= assessment::ASSESSORS_MAX);
    for name in &content.assessors {
        assert!(!name.is_empty() && name == name.trim() && !name.chars().any(char::is_control));
    }
    assert!(content.assessed_on <= TODAY);
}
