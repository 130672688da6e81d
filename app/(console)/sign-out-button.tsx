"use client";

import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { setSigningOut, useTRPC } from "../_trpc/client";

export function SignOutButton() {
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onMutate: () => setSigningOut(true),
      onError: () => setSigningOut(false),
      // A full page load, not router.push: it drops everything the browser cached for this
      // operator (query cache, router cache), so the next operator on this browser starts clean.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- see above
      onSuccess: () => window.location.assign("/login"),
    }),
  );
  return (
    <Button size="sm" variant="ghost" onClick={() => signOut.mutate()} pending={signOut.isPending || signOut.isSuccess}>
      Sign out
    </Button>
  );
}
