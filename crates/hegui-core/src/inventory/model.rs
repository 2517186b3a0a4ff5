//! The inventory (profile) of a PI processor: who it is, how many people it processes, its
//! PIPO, past audits, incidents and its processing activities (a record of processing that
//! speaks PIPL). Field docs become the descriptions of `hegui schema profile`.

use jiff::civil::{Date, DateTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A processor's profile: the input of `hegui check`, `hegui obligations` and `hegui scope`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Format version of this file; currently 1.
    pub hegui_profile: u32,
    pub organisation: Organisation,
    /// Platform facts, for processors that run an online platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub headcounts: Headcounts,
    /// The personal information protection officer (个人信息保护负责人), if designated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipo: Option<Pipo>,
    /// Compliance audits already carried out, oldest first or in any order.
    #[serde(default)]
    pub past_audits: Vec<PastAudit>,
    /// Personal information security incidents. `[]` says there were none; a missing key
    /// says nothing, and what depends on incidents is "cannot tell".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<Vec<Incident>>,
    /// Distinct people whose PI was provided abroad since 1 January, across all transfers.
    /// When absent, hegui adds up the transfers (an upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border_totals: Option<CrossBorderTotals>,
    /// Transfers of PI because of a merger, reorganisation, division, dissolution or
    /// bankruptcy. `[]` says there were none; a missing key says nothing ("cannot tell").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restructuring_transfers: Option<Vec<RestructuringTransfer>>,
    /// Requests from foreign judicial or law-enforcement bodies for PI stored in China (PIPL 41).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_authority_requests: Option<u32>,
    /// Personal information protection impact assessments (PIPL 55–56). `[]` says there
    /// are none; a missing key says nothing, and whether an activity that needs one has it
    /// is "cannot tell".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipia_records: Option<Vec<PipiaRecord>>,
    /// The processing activities.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

/// The processor's identity and status.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Registered name.
    pub name: String,
    /// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Critical information infrastructure operator (关键信息基础设施运营者).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciio: Option<bool>,
    /// A state organ or a body authorised to administer public affairs (Measures Art. 19
    /// excludes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_organ: Option<bool>,
    /// Has been notified that it holds important data (重要数据).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub important_data: Option<bool>,
    /// Province or city of registration (for the competent provincial / city-level CAC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Platform facts (NDSMR Art. 62 (八); Measures Art. 12 ¶2; PIPL Art. 58).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_users: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_active_users: Option<u64>,
    /// Business types are complex (业务类型复杂).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complex_business_types: Option<bool>,
    /// Its data processing has a significant impact on national security, the economy or
    /// people's livelihood (NDSMR Art. 62 (八)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant_impact: Option<bool>,
    /// The independent body of mainly outside members (Measures Art. 12 ¶2, PIPL 58 (一)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independent_body: Option<IndependentBody>,
    /// Date of the last published PI protection social responsibility report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_social_responsibility_report: Option<Date>,
}

/// The independent supervisory body of a large platform.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndependentBody {
    pub established_on: Date,
    pub members: u32,
    pub outside_members: u32,
}

/// Head-counts: distinct natural persons whose PI is currently processed (deleted PI
/// excluded; CAC Q&A 2026-04 Q1).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Headcounts {
    /// The date the counts were taken.
    pub as_of: Date,
    /// People whose PI is processed now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<u64>,
    /// Of whom: people whose sensitive PI is processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<u64>,
    /// Of whom: minors under 14 (PIPL Arts. 28, 31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_14: Option<u64>,
    /// Of whom: minors under 18 (Civil Code Art. 17; minors' regulation Art. 37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_18: Option<u64>,
    /// The day the count first reached 1,000,000 (starts the PIPO filing clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached_1m_on: Option<Date>,
}

/// The personal information protection officer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipo {
    pub name: String,
    /// Published contact (e-mail or telephone).
    pub contact: String,
    pub designated_on: Date,
    /// When the PIPO's details were reported to the city-level CAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_on: Option<Date>,
    /// Whether the contact is published (PIPL 52 ¶2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_published: Option<bool>,
}

/// Who carried out a compliance audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// By the processor's internal body.
    Internal,
    /// Commissioned by the processor to a professional body.
    Commissioned,
    /// Ordered by a protection department (Measures Art. 5).
    Ordered,
}

/// A compliance audit already carried out.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PastAudit {
    /// The audit report's date.
    pub date: Date,
    pub kind: AuditKind,
    /// The professional body (absent for internal audits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<String>,
    /// The firm's affiliates (关联机构), for the rotation limit of Measures Art. 15.
    #[serde(default)]
    pub firm_affiliates: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_auditor: Option<String>,
    /// Whether the audit covered minors' PI (minors' regulation Art. 37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers_minors: Option<bool>,
}

/// What happened to the PI in an incident (Measures Art. 5 (三)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentEffect {
    Leak,
    Tampering,
    Loss,
    Destruction,
}

/// A personal information security incident.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// A reference the processor uses.
    pub id: String,
    pub occurred_on: Date,
    /// When the processor discovered it (China Standard Time), e.g. 2025-07-12T09:30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered_at: Option<DateTime>,
    /// When it was reported to the authorities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_at: Option<DateTime>,
    /// When handling ended (starts the 30-day summary report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_ended_on: Option<Date>,
    /// When the summary report was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_reported_on: Option<Date>,
    pub people_affected: u64,
    /// Of whom: people whose sensitive PI was affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_people_affected: Option<u64>,
    /// Taxonomy ids of the PI affected.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub effects: Vec<IncidentEffect>,
    /// Whether the affected individuals were notified (PIPL 57).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individuals_notified: Option<bool>,
}

/// Processor-wide distinct counts of people whose PI went abroad this calendar year.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossBorderTotals {
    /// The calendar year the counts cover (counted from 1 January).
    pub year: i16,
    /// People whose non-sensitive PI was provided abroad.
    pub people_non_sensitive: u64,
    /// People whose sensitive PI was provided abroad.
    pub people_sensitive: u64,
}

/// PI transferred because of a merger, reorganisation, division, dissolution or bankruptcy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestructuringTransfer {
    pub date: Date,
    pub recipient: String,
    /// Whether individuals were told the recipient's name and contact (PIPL 22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individuals_notified: Option<bool>,
}

/// A PIPIA record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipiaRecord {
    pub id: String,
    /// The report's date.
    pub date: Date,
    /// Ids of the activities it covers.
    pub scope: Vec<String>,
    /// Where the report is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A legal basis of PIPL Art. 13 ¶1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// (一) the individual's consent.
    Consent,
    /// (二) necessary for a contract with the individual, or for HR management under lawful
    /// labour rules and collective contracts.
    Contract,
    /// (二) human-resources management (the second half of item 2).
    HumanResources,
    /// (三) a statutory duty or obligation.
    LegalObligation,
    /// (四) a public health emergency, or protecting life, health or property in an emergency.
    Emergency,
    /// (五) news reporting and public-opinion supervision in the public interest.
    PublicInterestNews,
    /// (六) PI the individual published or otherwise lawfully published, within reason.
    PublishedInformation,
    /// (七) other cases laws and administrative regulations provide.
    OtherLaw,
}

impl LegalBasis {
    /// The item of PIPL Art. 13 ¶1.
    pub fn article_item(self) -> &'static str {
        match self {
            LegalBasis::Consent => "（一）",
            LegalBasis::Contract | LegalBasis::HumanResources => "（二）",
            LegalBasis::LegalObligation => "（三）",
            LegalBasis::Emergency => "（四）",
            LegalBasis::PublicInterestNews => "（五）",
            LegalBasis::PublishedInformation => "（六）",
            LegalBasis::OtherLaw => "（七）",
        }
    }
}

/// The kind of consent obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    Ordinary,
    /// 单独同意 (PIPL 23, 25, 26, 29, 39).
    Separate,
    /// 书面同意.
    Written,
    /// The parent's or guardian's consent (PIPL 31).
    Guardian,
}

/// A collection channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    App,
    MiniProgram,
    Website,
    Api,
    Sdk,
    Offline,
    Phone,
    ThirdParty,
    Device,
}

impl Channel {
    pub fn is_online(self) -> bool {
        !matches!(self, Channel::Offline | Channel::Phone)
    }
}

/// A recipient's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRole {
    /// Joint processor (共同处理, PIPL 20).
    Joint,
    /// Entrusted processor (受托人, PIPL 21).
    Entrusted,
    /// Another processor the PI is provided to (PIPL 23).
    ThirdParty,
}

/// What an entrustment contract covers (PIPL 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractTerm {
    Purpose,
    Term,
    Method,
    Categories,
    ProtectionMeasures,
    RightsAndObligations,
    NoSubEntrustment,
    ReturnOrDeletion,
}

/// A contract with a recipient.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub signed_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// The terms the contract covers.
    #[serde(default)]
    pub covers: Vec<ContractTerm>,
    /// Date of the last supervision (inspection, audit) of the trustee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_inspected_on: Option<Date>,
}

/// A recipient of PI from an activity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    pub name: String,
    pub role: RecipientRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
    /// PI categories (taxonomy ids) the recipient receives; defaults to the activity's.
    #[serde(default)]
    pub categories: Vec<String>,
}

/// The exemption ground of a cross-border transfer (Order 16 Arts. 3–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExemptionGround {
    /// Art. 5 (一): necessary to conclude or perform a contract with the individual.
    Contract,
    /// Art. 5 (二): cross-border HR management.
    HumanResources,
    /// Art. 5 (三): an emergency to protect life, health or property.
    Emergency,
    /// Art. 4: PI collected abroad, processed in China and sent back.
    CollectedAbroad,
    /// Art. 6: outside a free trade zone's negative list.
    FreeTradeZone,
}

/// The mechanism a transfer relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MechanismKind {
    SecurityAssessment,
    StandardContract,
    Certification,
}

/// The mechanism in place for a transfer, with its dates.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mechanism {
    pub kind: MechanismKind,
    /// Standard contract: the day it took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_on: Option<Date>,
    /// Standard contract: the day it was filed with the provincial CAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_on: Option<Date>,
    /// Security assessment or certification: the day the result or certificate was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<Date>,
    /// Security assessment or certification: when it expires (default 3 years from issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
}

/// A cross-border transfer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub recipient: String,
    /// Country or region of the recipient.
    pub country: String,
    /// The calendar year the counts below cover (counted from 1 January).
    pub year: i16,
    /// People whose non-sensitive PI went to this recipient this year.
    pub people_non_sensitive: u64,
    /// People whose sensitive PI went to this recipient this year.
    pub people_sensitive: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionGround>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<Mechanism>,
    /// Whether the recipient was screened against the restriction list (PIPL 42).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screened_against_list: Option<bool>,
}

/// Automated decision-making in an activity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomatedDecisions {
    /// What is decided, e.g. "credit limit".
    pub description: String,
    /// Decisions with a significant impact on individuals' rights (PIPL 24 ¶3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant_impact: Option<bool>,
    /// Personalised information push or commercial marketing (PIPL 24 ¶2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personalised_push: Option<bool>,
}

/// Image capture or identification devices in public places (PIPL 26).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicCameras {
    pub devices: u32,
    /// Whether prominent signs are posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs_posted: Option<bool>,
    /// Whether images are used for anything but public security.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_uses: Option<bool>,
    /// Number of faces stored (the face-recognition filing threshold is 100,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faces_stored: Option<u64>,
}

/// A data subject group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Customers,
    Users,
    Employees,
    JobApplicants,
    Visitors,
    Patients,
    Students,
    /// Minors under 14.
    #[serde(rename = "minors_under_14")]
    MinorsUnder14,
    /// Minors aged 14 to 17.
    #[serde(rename = "minors_14_to_17")]
    Minors14To17,
    Guardians,
    Contacts,
    Public,
}

/// A section an activity either describes or declares absent with `false` (`true` is not
/// accepted: say what there is).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Declared<T> {
    None(NoneMarker),
    Some(T),
}

impl<T> Declared<T> {
    /// The description, if there is one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Declared::None(_) => None,
            Declared::Some(t) => Some(t),
        }
    }
}

/// What the profile says about a [`Declared`] section: `None` when it says nothing,
/// `Some(false)` for `false`, `Some(true)` when it describes one.
pub fn declared<T>(d: &Option<Declared<T>>) -> Option<bool> {
    d.as_ref().map(|d| d.get().is_some())
}

/// `false`, meaning "there is none". Deserializes only from `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoneMarker;

impl Serialize for NoneMarker {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(false)
    }
}

impl<'de> Deserialize<'de> for NoneMarker {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match bool::deserialize(d)? {
            false => Ok(NoneMarker),
            true => Err(serde::de::Error::custom(
                "`true` says nothing: describe it, or write false for none",
            )),
        }
    }
}

impl JsonSchema for NoneMarker {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "None".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "const": false, "description": "false: there is none" })
    }
}

/// A processing activity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// A short id, unique in the profile (PIPIA records refer to it).
    pub id: String,
    pub name: String,
    pub purpose: String,
    /// PI categories: taxonomy ids (`identity.id_card_number`) or category ids (`location`).
    pub categories: Vec<String>,
    pub subjects: Vec<Subject>,
    /// Legal bases (PIPL Art. 13 ¶1).
    pub legal_basis: Vec<LegalBasis>,
    /// The kind of consent, when the basis is consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentKind>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub systems: Vec<String>,
    /// Retention period or the way it is determined, as stated in the rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Processed without notice under PIPL 18 (confidentiality or no-notice cases). Like
    /// `public_disclosure` and `published_pi`: `false` says no; a missing key says nothing
    /// ("cannot tell").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_exempt: Option<bool>,
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Transfers of this activity's PI abroad. `[]` says there are none; a missing key says
    /// nothing, and what depends on cross-border transfer is "cannot tell".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border: Option<Vec<Transfer>>,
    /// Automated decision-making (PIPL 24): the description, or `false` for none; a
    /// missing key says nothing ("cannot tell").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_decisions: Option<Declared<AutomatedDecisions>>,
    /// PI is publicly disclosed (PIPL 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_disclosure: Option<bool>,
    /// Image-capture or identification devices in public places (PIPL 26): the
    /// description, or `false` for none; a missing key says nothing ("cannot tell").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_cameras: Option<Declared<PublicCameras>>,
    /// Processes PI already made public (PIPL 27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_pi: Option<bool>,
}
