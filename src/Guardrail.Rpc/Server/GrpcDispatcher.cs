using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Guardrail.Rpc.Server;

/// <summary>
/// Serves unary gRPC calls on Kestrel (HTTP/2 cleartext): reads exactly one length-prefixed message
/// within the size limit, applies the deadline and the in-flight limit, calls the mapped handler and
/// answers with a message and trailers, or with a status alone (trailers-only). Whatever the client
/// sends, the answer is a gRPC status; nothing it sends can crash or hang the server.
/// </summary>
public sealed class GrpcDispatcher
{
    private readonly GrpcMethodRouter _router;
    private readonly GrpcServerOptions _options;
    private readonly ILogger<GrpcDispatcher> _logger;
    private int _inFlight;

    public GrpcDispatcher(GrpcMethodRouter router, GrpcServerOptions options, ILogger<GrpcDispatcher> logger)
    {
        _router = router;
        _options = options;
        _logger = logger;
        RpcMetrics.ObserveInFlight(this);
    }

    /// <summary>Calls being served now.</summary>
    public int InFlightCalls => Volatile.Read(ref _inFlight);

    /// <summary>The terminal request delegate: <c>app.Run(dispatcher.HandleAsync)</c>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            WriteHttpError(context, StatusCodes.Status405MethodNotAllowed, "gRPC calls use POST");
            return;
        }

        if (!IsGrpcContentType(request.ContentType))
        {
            WriteHttpError(context, StatusCodes.Status415UnsupportedMediaType, "content-type must be application/grpc");
            return;
        }

        var path = request.Path.Value ?? string.Empty;
        if (!_router.TryGet(path, out var handler))
        {
            RpcMetrics.Completed("unknown", StatusCode.Unimplemented, 0);
            WriteStatus(context, StatusCode.Unimplemented, $"unknown method {Truncate(path)}");
            return;
        }

        var encoding = request.Headers["grpc-encoding"].ToString();
        if (encoding.Length > 0 && encoding != "identity")
        {
            context.Response.Headers["grpc-accept-encoding"] = "identity";
            WriteStatus(context, StatusCode.Unimplemented, $"grpc-encoding '{Truncate(encoding)}' is not supported; send identity");
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(_options.MaxCallDurationMs);
        var timeoutHeader = request.Headers["grpc-timeout"].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var requested))
            {
                WriteStatus(context, StatusCode.InvalidArgument, $"malformed grpc-timeout '{Truncate(timeoutHeader)}'");
                return;
            }

            timeout = requested < timeout ? requested : timeout;
        }

        if (Interlocked.Increment(ref _inFlight) > _options.MaxInFlightCalls)
        {
            Interlocked.Decrement(ref _inFlight);
            RpcLog.Overloaded(_logger, path, _options.MaxInFlightCalls);
            RpcMetrics.Completed(path, StatusCode.Unavailable, 0);
            WriteStatus(context, StatusCode.Unavailable,
                $"server overloaded: {_options.MaxInFlightCalls} calls in flight (Guardrail:Rpc:MaxInFlightCalls); retry after the pushback",
                TimeSpan.FromMilliseconds(_options.RetryPushbackMs));
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            status = await ServeAsync(context, path, handler, timeout).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            RpcMetrics.Completed(path, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <returns>The status the call ended with (Cancelled when the client went away).</returns>
    private async Task<StatusCode> ServeAsync(HttpContext context, string path, GrpcMethodRouter.IUnaryHandler handler, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        var callContext = new ServerCallContext(context, path, DateTimeOffset.UtcNow + timeout, deadline.Token);
        try
        {
            var message = await ReadRequestAsync(context.Request.BodyReader, handler, deadline.Token).ConfigureAwait(false);
            var pending = handler.InvokeAsync(message, callContext);
            var response = pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(deadline.Token).ConfigureAwait(false);
            await WriteResponseAsync(context, response).ConfigureAwait(false);
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            RpcLog.CallFailed(_logger, path, e.Status, e.Detail);
            WriteStatus(context, e.Status, e.Detail, e.RetryAfter);
            return e.Status;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            RpcLog.ClientCancelled(_logger, path);
            return StatusCode.Cancelled;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var detail = $"deadline of {timeout.TotalMilliseconds:0.###} ms exceeded";
            RpcLog.CallFailed(_logger, path, StatusCode.DeadlineExceeded, detail);
            WriteStatus(context, StatusCode.DeadlineExceeded, detail);
            return StatusCode.DeadlineExceeded;
        }
        catch (Exception e)
        {
            var traceId = context.TraceIdentifier;
            RpcLog.HandlerCrashed(_logger, e, path, traceId);
            WriteStatus(context, StatusCode.Internal, $"internal error (trace {traceId})");
            return StatusCode.Internal;
        }
    }

    /// <summary>Reads the single request message, validates its UTF-8 and parses it.</summary>
    private async Task<IMessage> ReadRequestAsync(PipeReader reader, GrpcMethodRouter.IUnaryHandler handler, CancellationToken cancellationToken)
    {
        var max = _options.MaxReceiveMessageBytes;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            long expected = -1;
            if (buffer.Length >= GrpcFrame.HeaderSize)
            {
                var (flag, length) = GrpcFrame.ReadHeader(buffer);
                if (flag == 1)
                {
                    throw Invalid("message is marked compressed, but the call declared no grpc-encoding");
                }

                if (flag != 0)
                {
                    throw Invalid($"compressed-flag byte is {flag}; it must be 0 or 1");
                }

                if (length > max)
                {
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"request message of {length} bytes exceeds the limit of {max} bytes (Guardrail:Rpc:MaxReceiveMessageBytes)");
                }

                expected = GrpcFrame.HeaderSize + length;
                if (buffer.Length > expected)
                {
                    throw Invalid("a unary call must carry exactly one message; more data followed it");
                }

                if (buffer.Length == expected && result.IsCompleted)
                {
                    var message = Parse(buffer.Slice(GrpcFrame.HeaderSize), handler);
                    reader.AdvanceTo(buffer.End);
                    return message;
                }
            }

            if (result.IsCompleted)
            {
                throw buffer.Length == 0
                    ? Invalid("the call carried no request message")
                    : Invalid(expected < 0
                        ? $"the request ended inside the 5-byte message header ({buffer.Length} bytes)"
                        : $"the request ended after {buffer.Length - GrpcFrame.HeaderSize} of {expected - GrpcFrame.HeaderSize} message bytes (truncated frame)");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static IMessage Parse(ReadOnlySequence<byte> payload, GrpcMethodRouter.IUnaryHandler handler)
    {
        if (payload.IsSingleSegment)
        {
            return Parse(payload.FirstSpan, handler);
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(rented);
            return Parse(rented.AsSpan(0, (int)payload.Length), handler);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static IMessage Parse(ReadOnlySpan<byte> payload, GrpcMethodRouter.IUnaryHandler handler)
    {
        var invalidField = StrictUtf8.FindInvalidField(payload, handler.RequestDescriptor);
        if (invalidField is not null)
        {
            throw Invalid($"field {invalidField} is not valid UTF-8");
        }

        try
        {
            return handler.Parse(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid($"request is not a valid {handler.RequestDescriptor.FullName} message: {e.Message}");
        }
    }

    private async Task WriteResponseAsync(HttpContext context, IMessage response)
    {
        var size = response.CalculateSize();
        if (size > _options.MaxSendMessageBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"response message of {size} bytes exceeds the limit of {_options.MaxSendMessageBytes} bytes (Guardrail:Rpc:MaxSendMessageBytes)");
        }

        var http = context.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/grpc";
        GrpcFrame.Write(http.BodyWriter, response, size);
        http.AppendTrailer("grpc-status", "0");
        await http.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers a status: in the headers (trailers-only) when nothing was sent yet, else in trailers.</summary>
    private static void WriteStatus(HttpContext context, StatusCode status, string detail, TimeSpan? retryAfter = null)
    {
        var http = context.Response;
        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        var message = GrpcStatusMessage.Encode(detail);
        if (!http.HasStarted)
        {
            http.StatusCode = StatusCodes.Status200OK;
            http.ContentType = "application/grpc";
            http.Headers["grpc-status"] = code;
            http.Headers["grpc-message"] = message;
            if (retryAfter is { } pushback)
            {
                http.Headers["grpc-retry-pushback-ms"] = ((long)pushback.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            }

            return;
        }

        http.AppendTrailer("grpc-status", code);
        http.AppendTrailer("grpc-message", message);
    }

    private static void WriteHttpError(HttpContext context, int httpStatus, string detail)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.Headers["grpc-status"] = ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = GrpcStatusMessage.Encode(detail);
    }

    private static bool IsGrpcContentType(string? contentType)
        => contentType is not null
           && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
           && (contentType.Length == 16 || contentType[16] is '+' or ';');

    private static RpcException Invalid(string detail) => new(StatusCode.InvalidArgument, detail);

    private static string Truncate(string value) => value.Length <= 120 ? value : value[..120] + "...";
}
