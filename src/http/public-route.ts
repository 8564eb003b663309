// Routes that need no API key are marked where they are declared. The key guard reads the
// mark from the handler Nest matched, so what is protected follows the route table, not the
// spelling of a request's path.
import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'sift:public-route';

/** Open without an API key: probes, metrics and other routes an operator's tools call. */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
