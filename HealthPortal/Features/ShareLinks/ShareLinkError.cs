namespace HealthPortal.Features.ShareLinks;

/// <summary>Why a share-link operation was refused; the result's message is the sentence shown or returned.</summary>
public enum ShareLinkError
{
    /// <summary>The caller is not a patient with an MPI number, or the link is not theirs.</summary>
    Forbidden,
    /// <summary>A field of the form is out of bounds (label, expiry, PIN, no records chosen).</summary>
    Invalid,
    MalformedLink,
    MalformedCiphertext,
    /// <summary>No link with this id (or it was deleted).</summary>
    NotFound,
    Expired,
    Revoked,
    /// <summary>Too many wrong PINs: the link no longer opens.</summary>
    Locked,
    /// <summary>A PIN is needed and was missing or wrong; the attempts left are in the message.</summary>
    WrongPin,
}
