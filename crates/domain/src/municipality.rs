//! Denmark's 98 municipalities (kommuner) since the 2007 structural reform: official kommunekode,
//! Danish name and the police district (politikreds) each belongs to. A built-in table; no I/O.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoliceDistrict {
    Nordjylland,
    Oestjylland,
    MidtOgVestjylland,
    Sydoestjylland,
    SydOgSoenderjylland,
    Fyn,
    SydsjaellandOgLollandFalster,
    MidtOgVestsjaelland,
    Nordsjaelland,
    KoebenhavnsVestegn,
    Koebenhavn,
    Bornholm,
}

impl PoliceDistrict {
    pub const ALL: [PoliceDistrict; 12] = [
        PoliceDistrict::Nordjylland,
        PoliceDistrict::Oestjylland,
        PoliceDistrict::MidtOgVestjylland,
        PoliceDistrict::Sydoestjylland,
        PoliceDistrict::SydOgSoenderjylland,
        PoliceDistrict::Fyn,
        PoliceDistrict::SydsjaellandOgLollandFalster,
        PoliceDistrict::MidtOgVestsjaelland,
        PoliceDistrict::Nordsjaelland,
        PoliceDistrict::KoebenhavnsVestegn,
        PoliceDistrict::Koebenhavn,
        PoliceDistrict::Bornholm,
    ];

    /// Stable snake_case code, e.g. `koebenhavns_vestegn`.
    pub fn code(self) -> &'static str {
        match self {
            PoliceDistrict::Nordjylland => "nordjylland",
            PoliceDistrict::Oestjylland => "oestjylland",
            PoliceDistrict::MidtOgVestjylland => "midt_og_vestjylland",
            PoliceDistrict::Sydoestjylland => "sydoestjylland",
            PoliceDistrict::SydOgSoenderjylland => "syd_og_soenderjylland",
            PoliceDistrict::Fyn => "fyn",
            PoliceDistrict::SydsjaellandOgLollandFalster => "sydsjaelland_og_lolland_falster",
            PoliceDistrict::MidtOgVestsjaelland => "midt_og_vestsjaelland",
            PoliceDistrict::Nordsjaelland => "nordsjaelland",
            PoliceDistrict::KoebenhavnsVestegn => "koebenhavns_vestegn",
            PoliceDistrict::Koebenhavn => "koebenhavn",
            PoliceDistrict::Bornholm => "bornholm",
        }
    }

    /// The district's Danish name, e.g. `Københavns Politi`.
    pub fn name(self) -> &'static str {
        match self {
            PoliceDistrict::Nordjylland => "Nordjyllands Politi",
            PoliceDistrict::Oestjylland => "Østjyllands Politi",
            PoliceDistrict::MidtOgVestjylland => "Midt- og Vestjyllands Politi",
            PoliceDistrict::Sydoestjylland => "Sydøstjyllands Politi",
            PoliceDistrict::SydOgSoenderjylland => "Syd- og Sønderjyllands Politi",
            PoliceDistrict::Fyn => "Fyns Politi",
            PoliceDistrict::SydsjaellandOgLollandFalster => "Sydsjællands og Lolland-Falsters Politi",
            PoliceDistrict::MidtOgVestsjaelland => "Midt- og Vestsjællands Politi",
            PoliceDistrict::Nordsjaelland => "Nordsjællands Politi",
            PoliceDistrict::KoebenhavnsVestegn => "Københavns Vestegns Politi",
            PoliceDistrict::Koebenhavn => "Københavns Politi",
            PoliceDistrict::Bornholm => "Bornholms Politi",
        }
    }

    /// The inverse of [`PoliceDistrict::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|district| district.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Municipality {
    pub code: u16,
    pub name: &'static str,
    pub district: PoliceDistrict,
}

impl Municipality {
    /// Four-digit form used in referrals, e.g. "0101".
    pub fn padded_code(&self) -> String {
        format!("{:04}", self.code)
    }
}

const fn m(code: u16, name: &'static str, district: PoliceDistrict) -> Municipality {
    Municipality { code, name, district }
}

use PoliceDistrict::{
    Bornholm as BOR, Fyn as FYN, Koebenhavn as KBH, KoebenhavnsVestegn as KVE, MidtOgVestjylland as MVJ,
    MidtOgVestsjaelland as MVS, Nordjylland as NJY, Nordsjaelland as NSJ, Oestjylland as OJY, SydOgSoenderjylland as SSJ,
    SydoestjyllandAlias as _,
};
