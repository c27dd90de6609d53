using HealthPortal.Data;
using HealthPortal.Features.Email;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// Identity's mails (<see cref="PortalEmailSender"/>) in the recipient's language: the profile's choice, English when
/// it has none, whatever the language of the page that sent them. Each mail is checked in Burmese; the links arrive whole.
/// </summary>
public sealed class EmailBurmeseTests : IDisposable
{
    private const string Link = "https://portal.example.test/Account/Page?code=abc&returnUrl=%2Fpatient";
    private const string Address = "aye@example.test";
    private readonly string folder = Directory.CreateTempSubdirectory("healthportal-outbox-").FullName;

    private PortalEmailSender Sender => new(new EmailOptions(), folder, NullLogger<PortalEmailSender>.Instance);

    private static ApplicationUser Reader(string? culture) => new() { DisplayName = "ဒေါ်အေးအေးမြင့်", PreferredCulture = culture };

    private OutboxMessage Mail() => Assert.Single(PickupOutbox.For(folder, Address));

    private static void AssertBurmese(OutboxMessage mail, string subject, string sentence)
    {
        Assert.Equal(subject, mail.Subject);
        Assert.StartsWith("မင်္ဂလာပါ ဒေါ်အေးအေးမြင့်၊", mail.Body);
        Assert.Contains(sentence, mail.Body);
        BurmeseText.AssertBurmeseBeyond([mail.Subject, mail.Body], [], "the mail " + subject);
    }

    [Fact]
    public async Task ConfirmationLink_ToABurmeseReader_IsBurmese()
    {
        await Sender.SendConfirmationLinkAsync(Reader("my"), Address, Link);

        AssertBurmese(Mail(), "သင်၏ HealthPortal အီးမေးလ် လိပ်စာကို အတည်ပြုပါ", "လင့်ခ်ကို ဖွင့်၍ အတည်ပြုပါ");
        Assert.Equal(Link, Mail().LinkTo("/Account/Page"));
    }

    [Fact]
    public async Task PasswordResetLink_ToABurmeseReader_IsBurmese()
    {
        await Sender.SendPasswordResetLinkAsync(Reader("my"), Address, Link);

        AssertBurmese(Mail(), "သင်၏ HealthPortal စကားဝှက်ကို ပြန်သတ်မှတ်ရန်", "စကားဝှက် အသစ် ရွေးရန်");
        Assert.Equal(Link, Mail().LinkTo("/Account/Page"));
    }

    [Fact]
    public async Task PasswordResetCode_ToABurmeseReader_IsBurmese()
    {
        await Sender.SendPasswordResetCodeAsync(Reader("my"), Address, "123456");

        AssertBurmese(Mail(), "သင်၏ HealthPortal စကားဝှက်ကို ပြန်သတ်မှတ်ရန်", "ကုဒ်မှာ- 123456");
    }

    [Fact]
    public async Task RegistrationAttempt_ToABurmeseOwner_IsBurmese()
    {
        await Sender.SendRegistrationAttemptAsync(Reader("my"), Address, Link, Link + "&reset=1");

        AssertBurmese(Mail(), "တစ်စုံတစ်ယောက်က သင်၏ လိပ်စာဖြင့် HealthPortal အကောင့် ဖွင့်ရန် ကြိုးစားခဲ့ပါသည်", "အကောင့်အသစ် မဖွင့်ရသေးပါ။");
    }

    [Fact]
    public async Task Mail_WithoutAChoice_IsEnglish_WhateverThePagesLanguage()
    {
        BurmeseText.UnderBurmese(() =>
        {
            Sender.SendConfirmationLinkAsync(Reader(null), Address, Link).GetAwaiter().GetResult();
            return [];
        });

        Assert.Equal("Confirm your HealthPortal email address", Mail().Subject);
        Assert.StartsWith("Hello ဒေါ်အေးအေးမြင့်,", Mail().Body);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
