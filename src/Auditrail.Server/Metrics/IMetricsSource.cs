namespace Auditrail.Server.Metrics;

/// <summary>
/// Something with counters to expose on <c>/metrics</c>. Sources are registered in the service
/// collection (<c>services.AddSingleton&lt;IMetricsSource&gt;(...)</c>) by the module that owns them and
/// asked for their current values at each scrape, so no component depends on a metrics library.
/// </summary>
public interface IMetricsSource
{
    void Collect(MetricsWriter writer);
}
