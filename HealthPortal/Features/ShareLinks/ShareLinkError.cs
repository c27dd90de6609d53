namespace HealthPortal.Features.ShareLinks;

/// <summary>Why a share-link operation was refused; the result's message is the sentence shown or returned.</summary>
public enum ShareLinkError
{
    /// <summary>No error: <c>Result</c> refuses a failure with the enum's default, so no real code may be 0.</summary>
    None,
    /// <summary>The caller is not a signed-in patient, or acts for someone without the <c>view</c> and <c>share</c> powers in force now.</summary>
    Forbidden,
    /// <summary>The signed-in patient has no MPI number yet, so nothing of theirs is on the network to share.</summary>
    NotRegistered,
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
