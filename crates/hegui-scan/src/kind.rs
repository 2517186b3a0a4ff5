//! What the scanner finds: kinds with stable ids, the taxonomy item each maps to, and the
//! five likelihood levels (as Google DLP's).

use serde::{Deserialize, Serialize};

/// A kind of personal information the scanner detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CnResidentId,
    CnMobile,
    CnLandline,
    Email,
    BankCard,
    CnPassport,
    HkMacauTravelPermit,
    MainlandTravelPermit,
    CnLicensePlate,
    Ipv4,
    Ipv6,
    MacAddress,
    Imei,
    GpsCoordinate,
    PersonName,
    Address,
    BirthDate,
    SensitiveHealth,
    SensitiveReligion,
    SensitiveBiometric,
    SensitiveFinancial,
    SensitiveCriminal,
    SensitiveSexualOrientation,
    SensitiveMinor,
}

impl Kind {
    /// The number of kinds (for per-kind arrays).
    pub const COUNT: usize = 24;

    /// Every kind, in `Kind as usize` order.
    pub const ALL: [Kind; Kind::COUNT] = [
        Kind::CnResidentId,
        Kind::CnMobile,
        Kind::CnLandline,
        Kind::Email,
        Kind::BankCard,
        Kind::CnPassport,
        Kind::HkMacauTravelPermit,
        Kind::MainlandTravelPermit,
        Kind::CnLicensePlate,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::MacAddress,
        Kind::Imei,
        Kind::GpsCoordinate,
        Kind::PersonName,
        Kind::Address,
        Kind::BirthDate,
        Kind::SensitiveHealth,
        Kind::SensitiveReligion,
        Kind::SensitiveBiometric,
        Kind::SensitiveFinancial,
        Kind::SensitiveCriminal,
        Kind::SensitiveSexualOrientation,
        Kind::SensitiveMinor,
    ];

    /// The stable id (`cn_resident_id`, …).
    pub fn id(self) -> &'static str {
        match self {
            Kind::CnResidentId => "cn_resident_id",
            Kind::CnMobile => "cn_mobile",
            Kind::CnLandline => "cn_landline",
            Kind::Email => "email",
            Kind::BankCard => "bank_card",
            Kind::CnPassport => "cn_passport",
            Kind::HkMacauTravelPermit => "hk_macau_travel_permit",
            Kind::MainlandTravelPermit => "mainland_travel_permit",
            Kind::CnLicensePlate => "cn_license_plate",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::MacAddress => "mac_address",
            Kind::Imei => "imei",
            Kind::GpsCoordinate => "gps_coordinate",
            Kind::PersonName => "person_name",
            Kind::Address => "address",
            Kind::BirthDate => "birth_date",
            Kind::SensitiveHealth => "sensitive_health",
            Kind::SensitiveReligion => "sensitive_religion",
            Kind::SensitiveBiometric => "sensitive_biometric",
            Kind::SensitiveFinancial => "sensitive_financial",
            Kind::SensitiveCriminal => "sensitive_criminal",
            Kind::SensitiveSexualOrientation => "sensitive_sexual_orientation",
            Kind::SensitiveMinor => "sensitive_minor",
        }
    }

    /// The taxonomy item (hegui-core `law/taxonomy.toml`) the kind reports against.
    pub fn taxonomy(self) -> &'static str {
        match self {
            Kind::CnResidentId => "identity.id_card_number",
            Kind::CnMobile | Kind::CnLandline => "basic.phone",
            Kind::Email => "basic.email",
            Kind::BankCard => "property.bank_account",
            Kind::CnPassport => "identity.passport",
            Kind::HkMacauTravelPermit | Kind::MainlandTravelPermit => "identity.travel_permit",
            Kind::CnLicensePlate => "other.license_plate",
            Kind::Ipv4 | Kind::Ipv6 => "network_identity.ip_address",
            Kind::MacAddress | Kind::Imei => "device.hardware_id",
            Kind::GpsCoordinate => "location.precise",
            Kind::PersonName => "basic.name",
            Kind::Address => "basic.address",
            Kind::BirthDate => "basic.birth_date",
            Kind::SensitiveHealth => "health.medical_record",
            Kind::SensitiveReligion => "other.religion",
            Kind::SensitiveBiometric => "biometric.face",
            Kind::SensitiveFinancial => "property.bank_account",
            Kind::SensitiveCriminal => "other.criminal_record",
            Kind::SensitiveSexualOrientation => "other.sexual_orientation",
            Kind::SensitiveMinor => "other.minor_under_14",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// A set of kinds (a bit per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindSet(u32);

impl KindSet {
    pub const ALL: KindSet = KindSet((1 << Kind::COUNT) - 1);

    pub fn of(kinds: &[Kind]) -> KindSet {
        KindSet(kinds.iter().fold(0, |a, k| a | 1 << *k as u32))
    }

    pub fn contains(self, k: Kind) -> bool {
        self.0 & (1 << k as u32) != 0
    }

    /// Whether any of `kinds` is in the set.
    pub fn any(self, kinds: &[Kind]) -> bool {
        kinds.iter().any(|k| self.contains(*k))
    }
}

impl Default for KindSet {
    fn default() -> Self {
        KindSet::ALL
    }
}

/// How likely a match is to be the kind it was reported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Likelihood {
    VeryUnlikely,
    Unlikely,
    Possible,
    Likely,
    VeryLikely,
}

impl Likelihood {
    /// One level up (positive context), saturating.
    pub fn up(self) -> Likelihood {
        match self {
            Likelihood::VeryUnlikely => Likelihood::Unlikely,
            Likelihood::Unlikely => Likelihood::Possible,
            Likelihood::Possible => Likelihood::Likely,
            _ => Likelihood::VeryLikely,
        }
    }

    /// Two levels down (negative context), saturating.
    pub fn down2(self) -> Likelihood {
        match self {
            Likelihood::VeryLikely => Likelihood::Possible,
            Likelihood::Likely => Likelihood::Unlikely,
            _ => Likelihood::VeryUnlikely,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Likelihood::VeryUnlikely => "very_unlikely",
            Likelihood::Unlikely => "unlikely",
            Likelihood::Possible => "possible",
            Likelihood::Likely => "likely",
            Likelihood::VeryLikely => "very_likely",
        }
    }

    pub fn from_id(s: &str) -> Option<Likelihood> {
        [
            Likelihood::VeryUnlikely,
            Likelihood::Unlikely,
            Likelihood::Possible,
            Likelihood::Likely,
            Likelihood::VeryLikely,
        ]
        .into_iter()
        .find(|l| l.id() == s)
    }
}
