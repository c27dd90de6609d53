namespace HealthPortal.Features.Ehr;

/// <summary>Why an EHR store refused a save; nothing was written.</summary>
public enum EhrError
{
    None,
    /// <summary>Fields of the input are wrong; the result's <c>Fields</c> name them.</summary>
    Invalid,
    /// <summary>This node has no store of that format for the facility: nothing the user can fix in a field.</summary>
    NoStore,
    /// <summary>The laboratory order to report on does not exist in the store.</summary>
    OrderNotFound,
    /// <summary>The results of the laboratory order were reported already.</summary>
    AlreadyReported,
    /// <summary>The record to correct was corrected already: a correction replaces the newest version.</summary>
    AlreadyCorrected,
}
