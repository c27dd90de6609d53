namespace HealthPortal.Features.Ingest;

/// <summary>Why a facility system's API client could not be made, rotated or revoked, or its Bundle was refused.</summary>
public enum IngestError
{
    None,
    Forbidden,
    Invalid,
    NotFound,
    Revoked,
}
