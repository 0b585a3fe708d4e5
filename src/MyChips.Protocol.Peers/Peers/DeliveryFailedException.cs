namespace MyChips.Protocol.Peers;

/// <summary>A message was not delivered; <see cref="Reason"/> says why. No message fails without one.</summary>
public sealed class DeliveryFailedException : Exception
{
    public DeliveryFailedException(DeliveryFailure reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public DeliveryFailedException() : this(DeliveryFailure.ConnectionLost, "The message was not delivered.") { }

    public DeliveryFailedException(string message) : this(DeliveryFailure.ConnectionLost, message) { }

    public DeliveryFailedException(string message, Exception innerException)
        : this(DeliveryFailure.ConnectionLost, message, innerException) { }

    public DeliveryFailure Reason { get; }
}
