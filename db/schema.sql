\restrict dbmate

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: id_doc_status_enum; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.id_doc_status_enum AS ENUM (
    'NEW',
    'OCR_DONE',
    'OCR_FAILED',
    'EXPIRED',
    'SUPERSEDED'
);


--
-- Name: kyc_decision_enum; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.kyc_decision_enum AS ENUM (
    'PASS',
    'FAIL',
    'MANUAL_REVIEW'
);


--
-- Name: kyc_decision_source_enum; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.kyc_decision_source_enum AS ENUM (
    'AUTOMATIC',
    'CS'
);


--
-- Name: reg_type_enum; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.reg_type_enum AS ENUM (
    'GDC',
    'NMC',
    'GMC',
    'GPC'
);


--
-- Name: user_status_enum; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.user_status_enum AS ENUM (
    'PENDING',
    'MANUAL_REVIEW',
    'VERIFIED',
    'REJECTED',
    'EXPIRED',
    'ERASED'
);


--
-- Name: audit_events_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: account_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.account_links (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    other_user_id bigint NOT NULL,
    reason character varying(40) NOT NULL,
    cycle_id uuid,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT account_links_check CHECK ((user_id <> other_user_id))
);


--
-- Name: account_links_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.account_links_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: account_links_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.account_links_id_seq OWNED BY public.account_links.id;


--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    actor_subject text NOT NULL,
    actor_name text NOT NULL,
    actor_via text NOT NULL,
    actor_roles text[] NOT NULL,
    action text NOT NULL,
    user_id bigint,
    status integer,
    source_address text,
    request_id text,
    detail jsonb
);


--
-- Name: audit_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_events_id_seq OWNED BY public.audit_events.id;


--
-- Name: doc_scans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.doc_scans (
    id bigint NOT NULL,
    id_document_id bigint NOT NULL,
    textract_json jsonb NOT NULL,
    parsed_name text,
    parsed_dob date,
    parsed_expiry date,
    parser_version character varying(40) NOT NULL,
    completed_at timestamp with time zone DEFAULT now() NOT NULL,
    cycle_id uuid,
    provider character varying(60)
);


--
-- Name: doc_scans_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.doc_scans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: doc_scans_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.doc_scans_id_seq OWNED BY public.doc_scans.id;


--
-- Name: expiry_reminders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.expiry_reminders (
    id bigint NOT NULL,
    id_document_id bigint NOT NULL,
    expiry_date date NOT NULL,
    threshold_days smallint NOT NULL,
    user_id bigint NOT NULL,
    pass_id uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT expiry_reminders_threshold_days_check CHECK ((threshold_days >= 0))
);


--
-- Name: expiry_reminders_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.expiry_reminders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: expiry_reminders_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.expiry_reminders_id_seq OWNED BY public.expiry_reminders.id;


--
-- Name: face_checks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.face_checks (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    selfie_id bigint NOT NULL,
    id_document_id bigint NOT NULL,
    match_score numeric,
    liveness_pass boolean,
    rekognition_job_id character varying(100),
    completed_at timestamp with time zone DEFAULT now() NOT NULL,
    cycle_id uuid,
    selfie_quality character varying(20),
    liveness_confidence numeric,
    outcome jsonb,
    provider character varying(60),
    CONSTRAINT face_checks_liveness_confidence_check CHECK (((liveness_confidence >= (0)::numeric) AND (liveness_confidence <= (1)::numeric))),
    CONSTRAINT face_checks_match_score_check CHECK (((match_score >= (0)::numeric) AND (match_score <= (1)::numeric)))
);


--
-- Name: face_checks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.face_checks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: face_checks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.face_checks_id_seq OWNED BY public.face_checks.id;


--
-- Name: face_index_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.face_index_entries (
    selfie_id bigint NOT NULL,
    user_id bigint NOT NULL,
    face_id character varying(64),
    embedding real[],
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: id_documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.id_documents (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    s3_key_original text NOT NULL,
    doc_type character varying(40) NOT NULL,
    status public.id_doc_status_enum DEFAULT 'NEW'::public.id_doc_status_enum NOT NULL,
    expiry_date date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    image_deleted_at timestamp with time zone
);


--
-- Name: id_documents_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.id_documents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: id_documents_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.id_documents_id_seq OWNED BY public.id_documents.id;


--
-- Name: identity_fingerprints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.identity_fingerprints (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    kind character varying(10) NOT NULL,
    fingerprint bytea NOT NULL,
    id_document_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT identity_fingerprints_kind_check CHECK (((kind)::text = ANY ((ARRAY['DOCUMENT'::character varying, 'IDENTITY'::character varying])::text[])))
);


--
-- Name: identity_fingerprints_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.identity_fingerprints_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: identity_fingerprints_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.identity_fingerprints_id_seq OWNED BY public.identity_fingerprints.id;


--
-- Name: kyc_cycles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kyc_cycles (
    cycle_id uuid NOT NULL,
    user_id bigint NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: kyc_decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kyc_decisions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    decision public.kyc_decision_enum NOT NULL,
    reasons text[] DEFAULT '{}'::text[] NOT NULL,
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    cycle_id uuid,
    source public.kyc_decision_source_enum DEFAULT 'AUTOMATIC'::public.kyc_decision_source_enum NOT NULL,
    reviewer character varying(100),
    note text,
    overrides_decision_id bigint,
    reg_check_id bigint,
    policy_version character varying(20),
    policy_input jsonb,
    documents_requested text[],
    CONSTRAINT kyc_decisions_cs_has_reviewer CHECK (((source = 'AUTOMATIC'::public.kyc_decision_source_enum) OR (reviewer IS NOT NULL)))
);


--
-- Name: kyc_decisions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.kyc_decisions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: kyc_decisions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.kyc_decisions_id_seq OWNED BY public.kyc_decisions.id;


--
-- Name: liveness_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.liveness_sessions (
    session_id uuid NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    used_by_selfie_id bigint,
    used_at timestamp with time zone
);


--
-- Name: local_accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.local_accounts (
    username text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    roles text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT local_accounts_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT local_accounts_roles_check CHECK (((roles <@ ARRAY['intake'::text, 'cs'::text, 'cs-lead'::text, 'ops'::text]) AND (cardinality(roles) > 0))),
    CONSTRAINT local_accounts_username_check CHECK ((username ~ '^[a-z0-9._-]{2,64}$'::text))
);


--
-- Name: monitor_batch_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.monitor_batch_runs (
    pass_id uuid NOT NULL,
    reg_type public.reg_type_enum NOT NULL,
    after_user_id bigint NOT NULL,
    run_id character varying(100) NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: monitor_digests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.monitor_digests (
    digest_date date NOT NULL,
    pass_id uuid NOT NULL,
    sent_at timestamp with time zone
);


--
-- Name: notifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notifications (
    id bigint NOT NULL,
    idempotency_key character varying(200) NOT NULL,
    decision_id bigint NOT NULL,
    channel character varying(40) NOT NULL,
    sent_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: notifications_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notifications_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notifications_id_seq OWNED BY public.notifications.id;


--
-- Name: ops_alerts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ops_alerts (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    cycle_id uuid NOT NULL,
    step character varying(40) NOT NULL,
    incident integer NOT NULL,
    reason text NOT NULL,
    raised_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone
);


--
-- Name: ops_alerts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.ops_alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: ops_alerts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.ops_alerts_id_seq OWNED BY public.ops_alerts.id;


--
-- Name: reg_checks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reg_checks (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    snapshot_date date NOT NULL,
    matched_name boolean NOT NULL,
    matched_status boolean NOT NULL,
    raw_response_json jsonb NOT NULL,
    checked_at timestamp with time zone DEFAULT now() NOT NULL,
    cycle_id uuid,
    apify_run_id character varying(100),
    standing character varying(40),
    outcome jsonb,
    monitor_pass_id uuid,
    register_changes text[],
    provider character varying(60)
);


--
-- Name: reg_checks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.reg_checks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: reg_checks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.reg_checks_id_seq OWNED BY public.reg_checks.id;


--
-- Name: register_file_reads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.register_file_reads (
    id bigint NOT NULL,
    pass_id uuid NOT NULL,
    reg_type public.reg_type_enum NOT NULL,
    snapshot_date date NOT NULL,
    sha256 character(64) NOT NULL,
    kept_path text NOT NULL,
    entries integer NOT NULL,
    added integer NOT NULL,
    removed integer NOT NULL,
    changed integer NOT NULL,
    read_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: register_file_reads_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.register_file_reads_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: register_file_reads_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.register_file_reads_id_seq OWNED BY public.register_file_reads.id;


--
-- Name: register_renewal_reminders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.register_renewal_reminders (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    renewal_date date NOT NULL,
    threshold_days smallint NOT NULL,
    reg_check_id bigint NOT NULL,
    pass_id uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT register_renewal_reminders_threshold_days_check CHECK ((threshold_days > 0))
);


--
-- Name: register_renewal_reminders_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.register_renewal_reminders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: register_renewal_reminders_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.register_renewal_reminders_id_seq OWNED BY public.register_renewal_reminders.id;


--
-- Name: register_run_intents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.register_run_intents (
    cycle_id uuid NOT NULL,
    user_id bigint NOT NULL,
    reg_type public.reg_type_enum NOT NULL,
    requested_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: register_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.register_runs (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    cycle_id uuid NOT NULL,
    reg_type public.reg_type_enum NOT NULL,
    actor_id character varying(200) NOT NULL,
    run_id character varying(100) NOT NULL,
    dataset_id character varying(100) NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: register_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.register_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: register_runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.register_runs_id_seq OWNED BY public.register_runs.id;


--
-- Name: register_sources; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.register_sources (
    reg_type public.reg_type_enum NOT NULL,
    kind character varying(20) NOT NULL,
    reference text,
    health character varying(20) NOT NULL,
    last_error text,
    last_ok_at timestamp with time zone,
    checked_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT register_sources_health_check CHECK (((health)::text = ANY ((ARRAY['OK'::character varying, 'FAILING'::character varying, 'NOT_CONFIGURED'::character varying])::text[]))),
    CONSTRAINT register_sources_kind_check CHECK (((kind)::text = ANY ((ARRAY['APIFY_ACTOR'::character varying, 'DATA_FILE'::character varying, 'SNAPSHOT'::character varying, 'NONE'::character varying])::text[])))
);


--
-- Name: review_claims; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_claims (
    user_id bigint NOT NULL,
    reviewer character varying(100) NOT NULL,
    claimed_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: selfies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.selfies (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    s3_key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    liveness_session_id uuid,
    image_deleted_at timestamp with time zone
);


--
-- Name: selfies_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.selfies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: selfies_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.selfies_id_seq OWNED BY public.selfies.id;


--
-- Name: user_data_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_data_keys (
    user_id bigint NOT NULL,
    master_key_id text,
    wrapped_key bytea,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    destroyed_at timestamp with time zone,
    CONSTRAINT user_data_keys_held_or_destroyed CHECK ((((destroyed_at IS NULL) AND (master_key_id IS NOT NULL) AND (wrapped_key IS NOT NULL)) OR ((destroyed_at IS NOT NULL) AND (master_key_id IS NULL) AND (wrapped_key IS NULL))))
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying(254),
    reg_no character varying(50) NOT NULL,
    reg_type public.reg_type_enum NOT NULL,
    status public.user_status_enum DEFAULT 'PENDING'::public.user_status_enum NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    erased_at timestamp with time zone
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: webhook_receipts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_receipts (
    id bigint NOT NULL,
    delivery_key character varying(200) NOT NULL,
    claimed_at timestamp with time zone DEFAULT now() NOT NULL,
    handed_off_at timestamp with time zone
);


--
-- Name: webhook_receipts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_receipts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_receipts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_receipts_id_seq OWNED BY public.webhook_receipts.id;


--
-- Name: account_links id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account_links ALTER COLUMN id SET DEFAULT nextval('public.account_links_id_seq'::regclass);


--
-- Name: audit_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ALTER COLUMN id SET DEFAULT nextval('public.audit_events_id_seq'::regclass);


--
-- Name: doc_scans id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doc_scans ALTER COLUMN id SET DEFAULT nextval('public.doc_scans_id_seq'::regclass);


--
-- Name: expiry_reminders id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expiry_reminders ALTER COLUMN id SET DEFAULT nextval('public.expiry_reminders_id_seq'::regclass);


--
-- Name: face_checks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_checks ALTER COLUMN id SET DEFAULT nextval('public.face_checks_id_seq'::regclass);


--
-- Name: id_documents id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.id_documents ALTER COLUMN id SET DEFAULT nextval('public.id_documents_id_seq'::regclass);


--
-- Name: identity_fingerprints id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_fingerprints ALTER COLUMN id SET DEFAULT nextval('public.identity_fingerprints_id_seq'::regclass);


--
-- Name: kyc_decisions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_decisions ALTER COLUMN id SET DEFAULT nextval('public.kyc_decisions_id_seq'::regclass);


--
-- Name: notifications id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications ALTER COLUMN id SET DEFAULT nextval('public.notifications_id_seq'::regclass);


--
-- Name: ops_alerts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ops_alerts ALTER COLUMN id SET DEFAULT nextval('public.ops_alerts_id_seq'::regclass);


--
-- Name: reg_checks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reg_checks ALTER COLUMN id SET DEFAULT nextval('public.reg_checks_id_seq'::regclass);


--
-- Name: register_file_reads id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_file_reads ALTER COLUMN id SET DEFAULT nextval('public.register_file_reads_id_seq'::regclass);


--
-- Name: register_renewal_reminders id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_renewal_reminders ALTER COLUMN id SET DEFAULT nextval('public.register_renewal_reminders_id_seq'::regclass);


--
-- Name: register_runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_runs ALTER COLUMN id SET DEFAULT nextval('public.register_runs_id_seq'::regclass);


--
-- Name: selfies id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.selfies ALTER COLUMN id SET DEFAULT nextval('public.selfies_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Name: webhook_receipts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_receipts ALTER COLUMN id SET DEFAULT nextval('public.webhook_receipts_id_seq'::regclass);


--
-- Name: account_links account_links_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account_links
    ADD CONSTRAINT account_links_pkey PRIMARY KEY (id);


--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);


--
-- Name: doc_scans doc_scans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doc_scans
    ADD CONSTRAINT doc_scans_pkey PRIMARY KEY (id);


--
-- Name: expiry_reminders expiry_reminders_once; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expiry_reminders
    ADD CONSTRAINT expiry_reminders_once UNIQUE (id_document_id, expiry_date, threshold_days);


--
-- Name: expiry_reminders expiry_reminders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expiry_reminders
    ADD CONSTRAINT expiry_reminders_pkey PRIMARY KEY (id);


--
-- Name: face_checks face_checks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_checks
    ADD CONSTRAINT face_checks_pkey PRIMARY KEY (id);


--
-- Name: face_index_entries face_index_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_index_entries
    ADD CONSTRAINT face_index_entries_pkey PRIMARY KEY (selfie_id);


--
-- Name: id_documents id_documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.id_documents
    ADD CONSTRAINT id_documents_pkey PRIMARY KEY (id);


--
-- Name: identity_fingerprints identity_fingerprints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_fingerprints
    ADD CONSTRAINT identity_fingerprints_pkey PRIMARY KEY (id);


--
-- Name: kyc_cycles kyc_cycles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_cycles
    ADD CONSTRAINT kyc_cycles_pkey PRIMARY KEY (cycle_id);


--
-- Name: kyc_decisions kyc_decisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_decisions
    ADD CONSTRAINT kyc_decisions_pkey PRIMARY KEY (id);


--
-- Name: kyc_decisions kyc_decisions_policy_version_recorded; Type: CHECK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.kyc_decisions
    ADD CONSTRAINT kyc_decisions_policy_version_recorded CHECK ((policy_version IS NOT NULL)) NOT VALID;


--
-- Name: liveness_sessions liveness_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.liveness_sessions
    ADD CONSTRAINT liveness_sessions_pkey PRIMARY KEY (session_id);


--
-- Name: local_accounts local_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_accounts
    ADD CONSTRAINT local_accounts_pkey PRIMARY KEY (username);


--
-- Name: monitor_batch_runs monitor_batch_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.monitor_batch_runs
    ADD CONSTRAINT monitor_batch_runs_pkey PRIMARY KEY (pass_id, reg_type, after_user_id);


--
-- Name: monitor_digests monitor_digests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.monitor_digests
    ADD CONSTRAINT monitor_digests_pkey PRIMARY KEY (digest_date);


--
-- Name: notifications notifications_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_idempotency_key_key UNIQUE (idempotency_key);


--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);


--
-- Name: ops_alerts ops_alerts_cycle_id_incident_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ops_alerts
    ADD CONSTRAINT ops_alerts_cycle_id_incident_key UNIQUE (cycle_id, incident);


--
-- Name: ops_alerts ops_alerts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ops_alerts
    ADD CONSTRAINT ops_alerts_pkey PRIMARY KEY (id);


--
-- Name: reg_checks reg_checks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reg_checks
    ADD CONSTRAINT reg_checks_pkey PRIMARY KEY (id);


--
-- Name: register_file_reads register_file_reads_once; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_file_reads
    ADD CONSTRAINT register_file_reads_once UNIQUE (pass_id, reg_type);


--
-- Name: register_file_reads register_file_reads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_file_reads
    ADD CONSTRAINT register_file_reads_pkey PRIMARY KEY (id);


--
-- Name: register_renewal_reminders register_renewal_reminders_once; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_renewal_reminders
    ADD CONSTRAINT register_renewal_reminders_once UNIQUE (user_id, renewal_date, threshold_days);


--
-- Name: register_renewal_reminders register_renewal_reminders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_renewal_reminders
    ADD CONSTRAINT register_renewal_reminders_pkey PRIMARY KEY (id);


--
-- Name: register_run_intents register_run_intents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_run_intents
    ADD CONSTRAINT register_run_intents_pkey PRIMARY KEY (cycle_id);


--
-- Name: register_runs register_runs_cycle_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_runs
    ADD CONSTRAINT register_runs_cycle_id_key UNIQUE (cycle_id);


--
-- Name: register_runs register_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_runs
    ADD CONSTRAINT register_runs_pkey PRIMARY KEY (id);


--
-- Name: register_runs register_runs_run_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_runs
    ADD CONSTRAINT register_runs_run_id_key UNIQUE (run_id);


--
-- Name: register_sources register_sources_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_sources
    ADD CONSTRAINT register_sources_pkey PRIMARY KEY (reg_type);


--
-- Name: review_claims review_claims_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_claims
    ADD CONSTRAINT review_claims_pkey PRIMARY KEY (user_id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: selfies selfies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.selfies
    ADD CONSTRAINT selfies_pkey PRIMARY KEY (id);


--
-- Name: user_data_keys user_data_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_data_keys
    ADD CONSTRAINT user_data_keys_pkey PRIMARY KEY (user_id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: webhook_receipts webhook_receipts_delivery_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_receipts
    ADD CONSTRAINT webhook_receipts_delivery_key_key UNIQUE (delivery_key);


--
-- Name: webhook_receipts webhook_receipts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_receipts
    ADD CONSTRAINT webhook_receipts_pkey PRIMARY KEY (id);


--
-- Name: account_links_other_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX account_links_other_idx ON public.account_links USING btree (other_user_id);


--
-- Name: account_links_pair_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX account_links_pair_key ON public.account_links USING btree (user_id, other_user_id, reason);


--
-- Name: audit_events_actor; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_actor ON public.audit_events USING btree (actor_subject, occurred_at);


--
-- Name: audit_events_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_user_id ON public.audit_events USING btree (user_id, occurred_at) WHERE (user_id IS NOT NULL);


--
-- Name: doc_scans_cycle_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX doc_scans_cycle_key ON public.doc_scans USING btree (cycle_id);


--
-- Name: doc_scans_document_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX doc_scans_document_idx ON public.doc_scans USING btree (id_document_id, completed_at DESC);


--
-- Name: face_checks_cycle_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX face_checks_cycle_key ON public.face_checks USING btree (cycle_id);


--
-- Name: face_checks_document_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX face_checks_document_idx ON public.face_checks USING btree (id_document_id);


--
-- Name: face_checks_selfie_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX face_checks_selfie_idx ON public.face_checks USING btree (selfie_id);


--
-- Name: face_checks_user_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX face_checks_user_latest_idx ON public.face_checks USING btree (user_id, completed_at DESC);


--
-- Name: face_index_entries_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX face_index_entries_user_idx ON public.face_index_entries USING btree (user_id);


--
-- Name: id_documents_expiry_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX id_documents_expiry_idx ON public.id_documents USING btree (expiry_date, id) WHERE ((status <> 'SUPERSEDED'::public.id_doc_status_enum) AND (expiry_date IS NOT NULL));


--
-- Name: id_documents_images_held_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX id_documents_images_held_idx ON public.id_documents USING btree (user_id) WHERE (image_deleted_at IS NULL);


--
-- Name: id_documents_missing_expiry_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX id_documents_missing_expiry_idx ON public.id_documents USING btree (user_id) WHERE ((expiry_date IS NULL) AND (status <> ALL (ARRAY['NEW'::public.id_doc_status_enum, 'SUPERSEDED'::public.id_doc_status_enum])));


--
-- Name: id_documents_s3_key_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX id_documents_s3_key_idx ON public.id_documents USING btree (s3_key_original);


--
-- Name: id_documents_user_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX id_documents_user_key ON public.id_documents USING btree (user_id, s3_key_original);


--
-- Name: identity_fingerprints_user_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX identity_fingerprints_user_key ON public.identity_fingerprints USING btree (kind, fingerprint, user_id);


--
-- Name: kyc_cycles_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX kyc_cycles_user_idx ON public.kyc_cycles USING btree (user_id, started_at);


--
-- Name: kyc_decisions_cycle_source_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX kyc_decisions_cycle_source_key ON public.kyc_decisions USING btree (cycle_id, source);


--
-- Name: kyc_decisions_dry_run_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX kyc_decisions_dry_run_idx ON public.kyc_decisions USING btree (decided_at) WHERE (policy_input IS NOT NULL);


--
-- Name: kyc_decisions_reg_check_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX kyc_decisions_reg_check_key ON public.kyc_decisions USING btree (reg_check_id) WHERE (source = 'AUTOMATIC'::public.kyc_decision_source_enum);


--
-- Name: kyc_decisions_user_automatic_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX kyc_decisions_user_automatic_latest_idx ON public.kyc_decisions USING btree (user_id, decided_at DESC, id DESC) WHERE (source = 'AUTOMATIC'::public.kyc_decision_source_enum);


--
-- Name: kyc_decisions_user_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX kyc_decisions_user_latest_idx ON public.kyc_decisions USING btree (user_id, decided_at DESC);


--
-- Name: liveness_sessions_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX liveness_sessions_user_idx ON public.liveness_sessions USING btree (user_id);


--
-- Name: notifications_decision_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_decision_idx ON public.notifications USING btree (decision_id);


--
-- Name: ops_alerts_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ops_alerts_user_idx ON public.ops_alerts USING btree (user_id);


--
-- Name: reg_checks_cycle_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX reg_checks_cycle_key ON public.reg_checks USING btree (cycle_id);


--
-- Name: reg_checks_monitor_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX reg_checks_monitor_key ON public.reg_checks USING btree (user_id, snapshot_date) WHERE (cycle_id IS NULL);


--
-- Name: reg_checks_user_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reg_checks_user_latest_idx ON public.reg_checks USING btree (user_id, checked_at DESC);


--
-- Name: register_file_reads_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX register_file_reads_latest_idx ON public.register_file_reads USING btree (reg_type, read_at DESC);


--
-- Name: review_claims_reviewer_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX review_claims_reviewer_idx ON public.review_claims USING btree (reviewer);


--
-- Name: selfies_images_held_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX selfies_images_held_idx ON public.selfies USING btree (user_id) WHERE (image_deleted_at IS NULL);


--
-- Name: selfies_user_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX selfies_user_key ON public.selfies USING btree (user_id, s3_key);


--
-- Name: users_monitored_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_monitored_idx ON public.users USING btree (reg_type, id) WHERE (status = ANY (ARRAY['VERIFIED'::public.user_status_enum, 'MANUAL_REVIEW'::public.user_status_enum]));


--
-- Name: users_registration_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_registration_email_key ON public.users USING btree (reg_type, reg_no, email);


--
-- Name: users_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_status_idx ON public.users USING btree (status);


--
-- Name: audit_events audit_events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION public.audit_events_append_only();


--
-- Name: audit_events audit_events_no_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_events_no_update BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.audit_events_append_only();


--
-- Name: account_links account_links_other_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account_links
    ADD CONSTRAINT account_links_other_user_id_fkey FOREIGN KEY (other_user_id) REFERENCES public.users(id);


--
-- Name: account_links account_links_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account_links
    ADD CONSTRAINT account_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: doc_scans doc_scans_id_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.doc_scans
    ADD CONSTRAINT doc_scans_id_document_id_fkey FOREIGN KEY (id_document_id) REFERENCES public.id_documents(id);


--
-- Name: expiry_reminders expiry_reminders_id_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expiry_reminders
    ADD CONSTRAINT expiry_reminders_id_document_id_fkey FOREIGN KEY (id_document_id) REFERENCES public.id_documents(id);


--
-- Name: expiry_reminders expiry_reminders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expiry_reminders
    ADD CONSTRAINT expiry_reminders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: face_checks face_checks_id_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_checks
    ADD CONSTRAINT face_checks_id_document_id_fkey FOREIGN KEY (id_document_id) REFERENCES public.id_documents(id);


--
-- Name: face_checks face_checks_selfie_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_checks
    ADD CONSTRAINT face_checks_selfie_id_fkey FOREIGN KEY (selfie_id) REFERENCES public.selfies(id);


--
-- Name: face_checks face_checks_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_checks
    ADD CONSTRAINT face_checks_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: face_index_entries face_index_entries_selfie_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_index_entries
    ADD CONSTRAINT face_index_entries_selfie_id_fkey FOREIGN KEY (selfie_id) REFERENCES public.selfies(id);


--
-- Name: face_index_entries face_index_entries_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.face_index_entries
    ADD CONSTRAINT face_index_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: id_documents id_documents_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.id_documents
    ADD CONSTRAINT id_documents_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: identity_fingerprints identity_fingerprints_id_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_fingerprints
    ADD CONSTRAINT identity_fingerprints_id_document_id_fkey FOREIGN KEY (id_document_id) REFERENCES public.id_documents(id);


--
-- Name: identity_fingerprints identity_fingerprints_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_fingerprints
    ADD CONSTRAINT identity_fingerprints_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: kyc_cycles kyc_cycles_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_cycles
    ADD CONSTRAINT kyc_cycles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: kyc_decisions kyc_decisions_overrides_decision_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_decisions
    ADD CONSTRAINT kyc_decisions_overrides_decision_id_fkey FOREIGN KEY (overrides_decision_id) REFERENCES public.kyc_decisions(id);


--
-- Name: kyc_decisions kyc_decisions_reg_check_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_decisions
    ADD CONSTRAINT kyc_decisions_reg_check_id_fkey FOREIGN KEY (reg_check_id) REFERENCES public.reg_checks(id);


--
-- Name: kyc_decisions kyc_decisions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kyc_decisions
    ADD CONSTRAINT kyc_decisions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: liveness_sessions liveness_sessions_used_by_selfie_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.liveness_sessions
    ADD CONSTRAINT liveness_sessions_used_by_selfie_id_fkey FOREIGN KEY (used_by_selfie_id) REFERENCES public.selfies(id);


--
-- Name: liveness_sessions liveness_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.liveness_sessions
    ADD CONSTRAINT liveness_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: notifications notifications_decision_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES public.kyc_decisions(id);


--
-- Name: ops_alerts ops_alerts_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ops_alerts
    ADD CONSTRAINT ops_alerts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: reg_checks reg_checks_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reg_checks
    ADD CONSTRAINT reg_checks_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: register_renewal_reminders register_renewal_reminders_reg_check_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_renewal_reminders
    ADD CONSTRAINT register_renewal_reminders_reg_check_id_fkey FOREIGN KEY (reg_check_id) REFERENCES public.reg_checks(id);


--
-- Name: register_renewal_reminders register_renewal_reminders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_renewal_reminders
    ADD CONSTRAINT register_renewal_reminders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: register_run_intents register_run_intents_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_run_intents
    ADD CONSTRAINT register_run_intents_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: register_runs register_runs_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.register_runs
    ADD CONSTRAINT register_runs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: review_claims review_claims_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_claims
    ADD CONSTRAINT review_claims_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: selfies selfies_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.selfies
    ADD CONSTRAINT selfies_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261125000000'),
    ('20261125010000'),
    ('20261125030000'),
    ('20261125040000'),
    ('20261125050000'),
    ('20261126000000'),
    ('20261126010000'),
    ('20261202100000'),
    ('20261202110000'),
    ('20261202120000'),
    ('20261202130000'),
    ('20261202130100'),
    ('20261203070000'),
    ('20261203080000'),
    ('20261203090000'),
    ('20261203090100'),
    ('20261203100000'),
    ('20261203110000'),
    ('20261203110100');
